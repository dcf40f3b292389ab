import Hummingbird
import Prometheus

/// Counts requests and times them per route pattern (not per raw path, which would make a
/// series per SIM), into the app's own Prometheus registry.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Where the request counter and duration histogram are kept.
    let registry: PrometheusCollectorRegistry

    private static var buckets: [Duration] {
        [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
         .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5)]
    }

    private static var requests: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "simgate", subsystem: "http", metricName: "requests", unitName: "total",
            helpText: "HTTP requests answered, by method, route pattern and status."
        )
    }
    private static var duration: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "simgate", subsystem: "http", metricName: "request_duration", unitName: "seconds",
            helpText: "Time to answer an HTTP request, by method and route pattern."
        )
    }

    /// Passes the request on, then counts and times its response by method and route pattern.
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let route = context.endpointPath ?? "unmatched"
        let method = request.method.rawValue
        registry.makeCounter(
            descriptor: Self.requests, labels: [("method", method), ("route", route), ("status", String(response.status.code))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: Self.duration, labels: [("method", method), ("route", route)], buckets: Self.buckets
        ).record(ContinuousClock.now - start)
        return response
    }
}
