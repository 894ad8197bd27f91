import SweepModel

/// One entry of a folder, with its `lstat` (or the error that stopped it).
///
/// The full path and the path below the root are made only when asked for: an unchanged re-scan never
/// needs them, and it is most of what a nightly scan does.
public struct Entry: Sendable {
    public let name: [UInt8]
    /// The folder holding it, and that folder below the scan root (shared with the listing, not copied).
    public let folder: ItemPath
    public let folderRelative: String
    public let stat: FileStat?
    public let error: CrawlError?
    /// For a symlink: where it points (as read by readlink), when it could be read.
    public let linkTarget: [UInt8]?

    public var kind: ItemKind { stat?.kind ?? .unknown }
    public var path: ItemPath { folder.appending(name) }
    /// The path below the scan root, for globs.
    public var relative: String { Entry.relative(folderRelative, name) }

    static func relative(_ folder: String, _ name: [UInt8]) -> String {
        folder.isEmpty ? ItemPath.display(name) : folder + "/" + ItemPath.display(name)
    }

    public init(name: [UInt8], folder: ItemPath, folderRelative: String, stat: FileStat?, error: CrawlError?, linkTarget: [UInt8]? = nil) {
        self.name = name; self.folder = folder; self.folderRelative = folderRelative
        self.stat = stat; self.error = error; self.linkTarget = linkTarget
    }
}

/// One folder's entries, as the walker read them.
public struct Listing: Sendable {
    public let folder: ItemPath
    public let root: ItemPath
    /// The folder below the scan root ("" for the root itself).
    public let relative: String
    /// Every entry read, sub-folders included (their names are present even though they are walked separately).
    public let entries: [Entry]
    /// Every name in the folder was read: only then may missing names be taken as deleted.
    public let complete: Bool
    /// The folder itself could not be listed.
    public let error: CrawlError?
    /// The folder's own details as its parent listed them (given with an error, so the folder's item keeps them).
    public let stat: FileStat?

    public init(folder: ItemPath, root: ItemPath, relative: String, entries: [Entry], complete: Bool, error: CrawlError?,
                stat: FileStat? = nil) {
        self.folder = folder; self.root = root; self.relative = relative
        self.entries = entries; self.complete = complete; self.error = error; self.stat = stat
    }
}

/// What to walk and how.
public struct CrawlOptions: Sendable {
    public var roots: [ItemPath]
    public var excludes: [Glob]
    public var oneFileSystem: Bool
    public var followSymlinks: Bool
    public var jobs: Int

    public init(roots: [ItemPath], excludes: [Glob] = [], oneFileSystem: Bool = false,
                followSymlinks: Bool = false, jobs: Int = 8) {
        self.roots = roots; self.excludes = excludes; self.oneFileSystem = oneFileSystem
        self.followSymlinks = followSymlinks; self.jobs = max(1, jobs)
    }

    /// Excludes apply to the name (a glob without `/`) or to the path below the root (a glob with one).
    public func isExcluded(name: [UInt8], in folderRelative: String, isFolder: Bool) -> Bool {
        guard !excludes.isEmpty else { return false }
        let shownName = ItemPath.display(name)
        let relative = Entry.relative(folderRelative, name)
        for g in excludes {
            if g.matchesPaths {
                if g.matches(relative) || (isFolder && g.matches(relative + "/")) { return true }
            } else if g.matches(shownName) {
                return true
            }
        }
        return false
    }
}
