import Fingerprint
import Foundation
import SweepModel
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct FingerprintTests {
    func expected(_ path: String) -> FileDigest.Expected {
        var st = stat()
        stat(path, &st)
        return FileDigest.Expected(id: FileID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino)), size: Int64(st.st_size),
                                   modified: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec))
    }

    func bytes(_ n: Int, seed: UInt8) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) } }

    func write(_ t: TempTree, _ name: String, _ b: [UInt8]) -> String {
        let p = t.path(name)
        FileManager.default.createFile(atPath: p, contents: Data(b))
        return p
    }

    @Test func streamAndStagesAgreeForEverySizeClass() throws {
        let t = TempTree()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1000, alignment: 8)   // smaller than the files: streaming
        let sampleBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 8192, alignment: 8)
        defer { buffer.deallocate(); sampleBuffer.deallocate() }
        for size in [1, 100, 4095, 4096, 4097, 8191, 8192, 8193, 70_000] {
            let b = bytes(size, seed: UInt8(size % 251))
            let p = write(t, "f\(size)", b)
            let e = expected(p)
            let prefix = try FileDigest.prefix(ItemPath(p), e, buffer: sampleBuffer).get()
            let whole = try FileDigest.whole(ItemPath(p), e, buffer: buffer).get()

            let stream = StreamHasher()
            var k = 0
            while k < b.count {   // odd chunk sizes, as an extractor would feed it
                let n = min(777, b.count - k)
                b[k..<(k + n)].withUnsafeBytes { stream.update($0) }
                k += n
            }
            let r = stream.finish()
            let big = UnsafeMutableRawBufferPointer.allocate(byteCount: Fingerprint.wholeReadSize + 8192, alignment: 8)
            defer { big.deallocate() }
            #expect(try FileDigest.all(ItemPath(p), e, buffer: big).get() == r, "size \(size)")   // one read, same three
            #expect(r.size == Int64(size))
            #expect(r.prefix == prefix.sample, "size \(size)")
            #expect(r.content == whole, "size \(size)")
            #expect(whole == b.withUnsafeBytes { ContentHash.of($0) })
            if size <= Fingerprint.sampleSize {
                #expect(prefix.whole == whole)   // small files: the prefix read is the whole read
                #expect(r.suffix == r.prefix)
            } else {
                #expect(prefix.whole == nil)
                #expect(try FileDigest.suffix(ItemPath(p), e, buffer: sampleBuffer).get() == r.suffix, "size \(size)")
            }
        }
    }

    @Test func samplesTellApartWhatTheyShould() throws {
        let t = TempTree()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 8192, alignment: 8)
        defer { buffer.deallocate() }
        var a = bytes(20_000, seed: 1), b = a
        b[19_999] ^= 0xFF   // differs only at the end: same prefix, different suffix and content
        let pa = write(t, "a", a), pb = write(t, "b", b)
        #expect(try FileDigest.prefix(ItemPath(pa), expected(pa), buffer: buffer).get().sample
                == FileDigest.prefix(ItemPath(pb), expected(pb), buffer: buffer).get().sample)
        #expect(try FileDigest.suffix(ItemPath(pa), expected(pa), buffer: buffer).get()
                != FileDigest.suffix(ItemPath(pb), expected(pb), buffer: buffer).get())
        a[10_000] ^= 1   // differs only in the middle: samples alike, content not
        let pc = write(t, "c", a), pd = write(t, "d", bytes(20_000, seed: 1))
        #expect(try FileDigest.suffix(ItemPath(pc), expected(pc), buffer: buffer).get()
                == FileDigest.suffix(ItemPath(pd), expected(pd), buffer: buffer).get())
        #expect(try FileDigest.whole(ItemPath(pc), expected(pc), buffer: buffer).get()
                != FileDigest.whole(ItemPath(pd), expected(pd), buffer: buffer).get())
    }

    @Test func aFileChangedSinceTheWalkIsNotHashed() throws {
        let t = TempTree()
        let p = write(t, "a", bytes(5000, seed: 3))
        let before = expected(p)
        _ = write(t, "a", bytes(5001, seed: 3))
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 8192, alignment: 8)
        defer { buffer.deallocate() }
        #expect(throws: FileDigest.Failure.changed) { try FileDigest.whole(ItemPath(p), before, buffer: buffer).get() }
        #expect(throws: FileDigest.Failure.changed) { try FileDigest.all(ItemPath(p), before, buffer: buffer).get() }
    }

    @Test func contentHashHexRoundTrips() {
        let h = ContentHash(high: 0x0123_4567_89AB_CDEF, low: 0x10)
        #expect(h.hex == "0123456789abcdef0000000000000010")
        #expect(ContentHash(hex: h.hex) == h)
        #expect(ContentHash(hex: "xyz") == nil)
    }
}
