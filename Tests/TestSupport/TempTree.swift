#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SweepModel

/// A fresh temporary folder per test, removed when the value goes away.
public final class TempTree: @unchecked Sendable {
    public let root: String

    public init(_ label: String = "sweep-test") {
        var base = NSTemporaryDirectory()
        while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        var template = Array("\(base)/\(label)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        root = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit {
        // Make everything removable first: tests leave mode-000 files and folders behind.
        _ = try? Process.run(URL(fileURLWithPath: "/bin/chmod"), arguments: ["-R", "u+rwx", root]).waitUntilExit()
        try? FileManager.default.removeItem(atPath: root)
    }

    public func path(_ relative: String) -> String { relative.isEmpty ? root : root + "/" + relative }

    /// Writes a file, creating its folders.
    @discardableResult
    public func file(_ relative: String, _ text: String = "", modified: Date? = nil) -> String {
        let p = path(relative)
        try! FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try! Data(text.utf8).write(to: URL(fileURLWithPath: p))
        if let modified { try! FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: p) }
        return p
    }

    /// Writes a file whose name is raw bytes (not necessarily UTF-8) in `folder`.
    public func rawNamedFile(folder: String, name: [UInt8], _ text: String = "x") -> ItemPath {
        let dir = ItemPath(path(folder))
        let full = dir.appending(name)
        let fd = (full.bytes + [0]).withUnsafeBufferPointer { buf in
            buf.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        }
        precondition(fd >= 0)
        _ = text.withCString { write(fd, $0, strlen($0)) }
        close(fd)
        return full
    }

    public func folder(_ relative: String) { try! FileManager.default.createDirectory(atPath: path(relative), withIntermediateDirectories: true) }
    public func symlink(_ relative: String, to target: String) { try! FileManager.default.createSymbolicLink(atPath: path(relative), withDestinationPath: target) }
    public func fifo(_ relative: String) { precondition(mkfifo(path(relative), 0o644) == 0) }
    public func remove(_ relative: String) { try! FileManager.default.removeItem(atPath: path(relative)) }
    public func move(_ from: String, _ to: String) {
        try! FileManager.default.createDirectory(atPath: (path(to) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try! FileManager.default.moveItem(atPath: path(from), toPath: path(to))
    }
}

/// The repository's top folder (for fixtures/ and rules/).
public let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
    }
    fatalError("Package.swift not found above \(#filePath)")
}()
