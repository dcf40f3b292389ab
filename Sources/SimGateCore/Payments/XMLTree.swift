import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A small element tree read from XML, enough for gateway notifications.
public final class XMLTree: @unchecked Sendable {
    // @unchecked: built once by the parser below and never mutated after `parse` returns.
    /// The element's tag name.
    public let name: String
    /// The element's attributes, by name.
    public let attributes: [String: String]
    /// Child elements, in document order.
    public fileprivate(set) var children: [XMLTree] = []
    /// The element's own character data, joined but not trimmed.
    public fileprivate(set) var text = ""

    /// An element with no children or text yet; the parser fills those in.
    init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    /// The first child called `name`.
    public func child(_ name: String) -> XMLTree? { children.first { $0.name == name } }

    /// The trimmed text of the element at `path` (child names), if present and not empty.
    public func text(at path: String...) -> String? {
        var node: XMLTree? = self
        for name in path { node = node?.child(name) }
        let value = node?.text.trimmingCharacters(in: .whitespacesAndNewlines)
        return value?.isEmpty == false ? value : nil
    }

    /// Parses `data`; `nil` if it is not well-formed XML. External entities are not resolved.
    public static func parse(_ data: Data) -> XMLTree? {
        let builder = Builder()
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else { return nil }
        return root
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var stack: [XMLTree] = []
        var root: XMLTree?

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            let node = XMLTree(name: elementName, attributes: attributes)
            stack.last?.children.append(node)
            if root == nil { root = node }
            stack.append(node)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            stack.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.text += string
        }
    }
}
