import Foundation

/// `bench payments`' throughput phase driven by wrk: signed invoices, each posted once, spread
/// over wrk's threads for a set time; the rate is the invoices answered as newly stored.
///
/// Each thread takes its share of the invoices. One that runs out before the time is up posts
/// its last invoice again (a duplicate, not counted) and says so, and the run is refused: the
/// pool must outlast the run for the rate to be the server's.
enum WrkReceipts {
    /// What the run counted.
    struct Outcome {
        /// Invoices answered 200 as newly stored.
        let answered: Int
        /// Answers other than 200.
        let failed: Int
        /// wrk's own time from the first request to the end.
        let seconds: Double
    }

    /// Posts `invoices` to `path` on `base` over `connections` connections for `seconds`.
    static func run(
        _ wrk: String, invoices: [BenchFleet.SignedInvoice], path: String, base: String, connections: Int, seconds: Int
    ) async throws -> Outcome {
        let threads = max(1, min(2, invoices.count))
        let scratch = try ScratchDirectory(prefix: "simgate-bench-wrk")
        defer { scratch.remove() }
        // One invoice a line: its Stripe-Signature header, a tab, its body (compact JSON, so
        // neither holds a tab or a line break).
        var lines = Data()
        for invoice in invoices {
            lines.append(Data(invoice.signature.utf8))
            lines.append(0x09)
            lines.append(invoice.body)
            lines.append(0x0A)
        }
        let invoiceFile = scratch.url.appendingPathComponent("invoices.tsv")
        let scriptFile = scratch.url.appendingPathComponent("receipts.lua")
        try lines.write(to: invoiceFile)
        try Data(script(path: path).utf8).write(to: scriptFile)
        let result = try await ToolProcess.run(
            URL(fileURLWithPath: wrk),
            ["-t\(threads)", "-c\(max(threads, connections))", "-d\(seconds)s", "-s", scriptFile.path, base, "--", invoiceFile.path, "\(threads)"],
            limit: .seconds(seconds + 60)
        )
        guard !result.killed, result.status == 0,
              let line = result.output.split(separator: "\n").last(where: { $0.hasPrefix("receipts ") })
        else { throw BenchError("wrk failed (exit \(result.status)): \(result.output.prefix(800))") }
        let words = line.split(separator: " ")
        guard words.count == 8, let answered = Int(words[1]), let failed = Int(words[3]), let microseconds = Double(words[5]),
              let exhausted = Int(words[7]), microseconds > 0
        else { throw BenchError("wrk's script printed an unreadable summary: \(line)") }
        guard exhausted == 0 else {
            throw BenchError("wrk posted all \(invoices.count) invoices before \(seconds) s were up; give more with --receipts")
        }
        return Outcome(answered: answered, failed: failed, seconds: microseconds / 1_000_000)
    }

    /// The Lua script: `init` reads the thread's share of the invoice file (arguments: the
    /// file and the number of threads), `request` posts them in turn, `response` counts, and
    /// `done` prints the sums over the threads.
    static func script(path: String) -> String {
        """
        local threads = {}
        local requests = {}
        local count, sent = 0, 0
        -- Globals, so that `done` can read each thread's with `thread:get`.
        answered, failed, exhausted = 0, 0, 0

        setup = function(thread)
          thread:set("id", #threads)
          table.insert(threads, thread)
        end

        init = function(args)
          local file, of = args[1], tonumber(args[2])
          local n = 0
          for line in io.lines(file) do
            if n % of == id then
              local tab = string.find(line, "\\t", 1, true)
              local headers = { ["Content-Type"] = "application/json", ["Stripe-Signature"] = string.sub(line, 1, tab - 1) }
              requests[#requests + 1] = wrk.format("POST", "\(path)", headers, string.sub(line, tab + 1))
            end
            n = n + 1
          end
          count = #requests
        end

        request = function()
          if sent < count then sent = sent + 1 else exhausted = 1 end
          return requests[sent]
        end

        response = function(status, headers, body)
          if status ~= 200 then
            failed = failed + 1
          elseif string.find(body, '"duplicate"%s*:%s*false') then
            answered = answered + 1
          end
        end

        done = function(summary, latency, requests)
          local total, bad, short = 0, 0, 0
          for _, thread in ipairs(threads) do
            total = total + thread:get("answered")
            bad = bad + thread:get("failed")
            short = short + thread:get("exhausted")
          end
          io.write(string.format("receipts %d failed %d microseconds %d exhausted %d\\n", total, bad, summary.duration, short))
        end
        """
    }
}
