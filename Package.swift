// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Sweep",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sweep", targets: ["sweep"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.21.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.60.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.25.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
    ],
    targets: [
        // System libraries, found through pkg-config (Debian: libmagic-dev, libarchive-dev, libxxhash-dev, libvectorscan-dev,
        // libpoppler-glib-dev, libpst-dev).
        .systemLibrary(name: "CMagic", pkgConfig: "libmagic", providers: [.apt(["libmagic-dev"])]),
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "CXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"])]),
        .systemLibrary(name: "CVectorscan", pkgConfig: "libhs", providers: [.apt(["libvectorscan-dev"])]),
        .systemLibrary(name: "CPoppler", pkgConfig: "poppler-glib", providers: [.apt(["libpoppler-glib-dev"])]),
        .systemLibrary(name: "CPST", pkgConfig: "libpst", providers: [.apt(["libpst-dev"])]),
        // Tesseract's C API and Leptonica, for scanned pages and images.
        .systemLibrary(name: "COCR", pkgConfig: "tesseract", providers: [.apt(["libtesseract-dev", "libleptonica-dev"])]),
        // statfs(2), which Glibc's Swift module leaves out.
        .systemLibrary(name: "CStatFS"),
        // Whether Swift's `print` reached standard output (its `stdout` cannot be named under strict concurrency).
        .systemLibrary(name: "CStdio"),
        // The search for rare bytes that gates detection, 32 bytes at a time where the processor allows.
        .target(name: "CByteScan"),

        // Value types that cross stage boundaries.
        .target(name: "SweepModel"),
        // Roots + excludes -> directory listings with stat; never content.
        .target(name: "Crawl", dependencies: ["SweepModel", "CStatFS"]),
        // What an item is and what is inside it: text, metadata and nested items of every format family.
        .target(name: "Extract", dependencies: ["SweepModel", "Fingerprint", "CMagic", "CArchive", "CPoppler", "CPST", "COCR"]),
        // The shipped and local rules, as data.
        .target(name: "Rules", dependencies: ["SweepModel", "CXXHash", "Yams"]),
        // The index: embedded SQLite through GRDB, or a shared PostgreSQL through PostgresNIO.
        .target(name: "Index", dependencies: ["SweepModel", .product(name: "GRDB", package: "GRDB.swift"),
                                            .product(name: "PostgresNIO", package: "postgres-nio"),
                                            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                                            .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "Logging", package: "swift-log")]),
        // The scanner: walk, skip what is unchanged, read what is new, write the index.
        // Personal data and protective markings: validators now, the pattern engine next.
        .target(name: "Detect", dependencies: ["SweepModel", "Rules", "CVectorscan", "CByteScan",
                                               .product(name: "Crypto", package: "swift-crypto")]),
        // Content identities, cheapest first: size, 4 KiB samples, XXH3-128.
        .target(name: "Fingerprint", dependencies: ["SweepModel", "CXXHash"]),
        // Schedule + item facts -> class, dates, action, holds, with the reason; review decisions and recorded disposal.
        .target(name: "Retention", dependencies: ["SweepModel", "Rules", "Index", .product(name: "Crypto", package: "swift-crypto")]),
        // Holds, scopes, review decisions, disposal, quarantine, purge and the log: one core for the CLI and the web app.
        .target(name: "SafeFiles", dependencies: ["SweepModel", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Records", dependencies: ["SweepModel", "SafeFiles", "Rules", "Index", "Retention", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Pipeline", dependencies: ["SweepModel", "Crawl", "Extract", "Detect", "Fingerprint", "Index", "Retention",
                                                 "Rules", "Yams", .product(name: "Crypto", package: "swift-crypto")]),
        // Duplicate sets, the copy to keep, whole duplicated folders, quarantine and restore.
        .target(name: "Duplicates", dependencies: ["SweepModel", "SafeFiles", "Index", "Fingerprint",
                                                   .product(name: "Crypto", package: "swift-crypto")]),
        // The records managers' web app and the scan report: server-rendered pages over the index.
        .target(name: "Web", dependencies: ["SweepModel", "Index", "Duplicates", "Retention", "Records", "Rules",
                                            .product(name: "Hummingbird", package: "hummingbird")]),
        // Argument parsing and printing only.
        .executableTarget(name: "sweep", dependencies: [
            "SweepModel", "CStdio", "Extract", "Index", "Pipeline", "Rules", "Duplicates", "Retention", "Records", "Web",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // The in-house parsers under libFuzzer (`make fuzz`); built normally, it replays inputs.
        .executableTarget(name: "sweep-fuzz", dependencies: ["Extract"], path: "Sources/SweepFuzz"),

        // Temporary trees and a runner for the built `sweep`, shared by the test targets.
        .target(name: "TestSupport", dependencies: ["SweepModel"], path: "Tests/TestSupport"),
        .testTarget(name: "SweepModelTests", dependencies: ["SweepModel"]),
        .testTarget(name: "CrawlTests", dependencies: ["Crawl", "SweepModel", "TestSupport"]),
        .testTarget(name: "ExtractTests", dependencies: ["Extract", "SweepModel", "TestSupport"]),
        .testTarget(name: "RulesTests", dependencies: ["Rules", "TestSupport"]),
        .testTarget(name: "IndexTests", dependencies: ["Index", "SweepModel", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "Index", "Rules", "SweepModel", "TestSupport",
                                                          .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "DetectTests", dependencies: ["Detect", "Extract", "Rules", "SweepModel", "TestSupport", "CVectorscan", "CByteScan",
                                                  .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "RetentionTests", dependencies: ["Retention", "Rules", "SweepModel", "TestSupport"]),
        .testTarget(name: "RecordsTests", dependencies: ["Records", "SafeFiles", "SweepModel", "TestSupport"]),
        .testTarget(name: "FingerprintTests", dependencies: ["Fingerprint", "SweepModel", "TestSupport"]),
        .testTarget(name: "DuplicatesTests", dependencies: ["Duplicates", "Pipeline", "Index", "Rules", "SweepModel", "TestSupport"]),
        .testTarget(name: "WebTests", dependencies: ["Web", "Index", "Retention", "Records", "SweepModel", "TestSupport",
                                                     .product(name: "HummingbirdTesting", package: "hummingbird")]),
        .testTarget(name: "EndToEndTests", dependencies: ["Index", "SweepModel", "TestSupport", .product(name: "GRDB", package: "GRDB.swift"),
                                                         .product(name: "Crypto", package: "swift-crypto")]),
    ]
)
