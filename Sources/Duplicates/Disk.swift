#if canImport(Glibc)
import Glibc
#endif
import SweepModel

/// Reading a file in whole buffers, for the byte-by-byte comparison before a copy is quarantined.
enum Disk {
    /// Fills `buffer` as far as the file allows; 0 at the end, -1 on error.
    static func readFull(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Int {
        var got = 0
        while got < buffer.count {
            let n = read(fd, buffer.baseAddress! + got, buffer.count - got)
            if n < 0 { if errno == EINTR { continue }; return -1 }
            if n == 0 { break }
            got += n
        }
        return got
    }
}
