#!/usr/bin/env python3
"""Generate a council-share-like tree of N files with known duplicates under ROOT, for bench/dupes.sh.

Usage: bench/make_dupes_tree.py ROOT N        (env DUPES_BIG: number of big files, default 12)

The folders are bench/make_tree.py's (department/topic/year/case). About 30% of the N files are
byte-identical copies of other files in other folders: whole copied folders ("Copy of ..." under a
department's Archive, as councils copy trees) and single copies, some originals copied several times.
Besides those: decoys with the size of an original but other content (half of them differ from it in one
byte in the middle only, so a prefix/suffix check cannot tell them apart), a few hardlinks (some to files
that also have copies, some to files that have none), and a few empty files (some in pairs; empty files
are never duplicates). Sizes: mostly 1 KB-200 KB, plus DUPES_BIG big files of 10-200 MB, a third of
them copied (bytes written again, not linked) and one big one-byte-off decoy; about 3 GB at N=100000.

Every original starts with its format's leading bytes and a serial number, so nothing is equal by
accident: the duplicate sets are known. Deterministic (seeded by N and DUPES_BIG). Beside ROOT it writes
ROOT.facts.json (file and byte counts, and the expected sets: every group of two or more paths with the
same non-empty content, hardlinks included) and the marker ROOT.done-N, which holds the parameters. When
the marker exists with the same parameters nothing is done; otherwise ROOT is removed and made afresh.
"""
import importlib.util
import json
import os
import random
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("make_tree", os.path.join(HERE, "make_tree.py"))
make_tree = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_tree)

KB, MB = 1024, 1024 * 1024
BIG_EXTENSIONS = [".mp4", ".zip", ".pst", ".iso", ".tif", ".mov"]
BIG_STEMS = ["Recording", "Scans", "Backup", "Archive", "Survey Photos", "CCTV Export", "Mailbox"]


class Tree:
    def __init__(self, root, n, big):
        self.root, self.n, self.big = root, n, big
        self.rng = random.Random(n * 1000 + big)
        # Random bytes that small files are cut from; every file also carries its own serial.
        self.pool = self.rng.randbytes(8 * MB)
        self.block = self.rng.randbytes(MB)  # repeated in big files, with a per-chunk header
        self.serial = 0
        self.files = []          # every regular-file path written (relative), for counting
        self.content = {}        # relative path -> content id (serial); empty files have none
        self.sizes = {}          # content id -> size
        self.folders = []        # folders holding originals
        self.by_folder = {}      # folder -> [relative paths of originals]
        self.originals = []      # relative paths of small originals
        self.bigs = []           # relative paths of big originals
        self.total_bytes = 0

    # ---- writing

    def path(self, rel):
        return os.path.join(self.root, rel)

    def free_name(self, folder, name):
        """name in folder, or 'stem (k).ext' if taken."""
        stem, ext = os.path.splitext(name)
        candidate, k = name, 1
        while os.path.lexists(self.path(os.path.join(folder, candidate))):
            k += 1
            candidate = f"{stem} ({k}){ext}"
        return os.path.join(folder, candidate)

    def write(self, rel, data, mtime):
        full = self.path(rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        fd = os.open(full, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.utime(fd, (mtime, mtime))
        finally:
            os.close(fd)
        self.files.append(rel)
        self.total_bytes += len(data)

    def mtime(self, after=None):
        lo = after if after is not None else make_tree.EPOCH_2010
        return self.rng.randrange(lo, make_tree.EPOCH_2026)

    def small_size(self):
        r = self.rng.random()
        if r < 0.75:
            return self.rng.randint(1 * KB, 8 * KB)
        if r < 0.95:
            return self.rng.randint(8 * KB, 48 * KB)
        return self.rng.randint(48 * KB, 200 * KB)

    def small_bytes(self, serial, ext, size):
        head = make_tree.HEADERS.get(ext, b"") + f"\nsweep-bench original {serial:08d}\n".encode()
        rest = size - len(head)
        if rest <= 0:
            return head[:size]
        start = self.rng.randrange(len(self.pool) - rest)
        return head + self.pool[start:start + rest]

    def big_chunks(self, serial, size):
        """A big file's content, one MiB at a time: the shared random block with a header naming the
        file and the chunk, so no two big originals (and no two chunks) are equal."""
        chunk = bytearray(self.block)
        for i in range(0, (size + MB - 1) // MB):
            tag = f"sweep-bench big {serial:08d} chunk {i:06d}\n".encode()
            chunk[:len(tag)] = tag
            yield bytes(chunk[:min(MB, size - i * MB)])

    def new_serial(self):
        self.serial += 1
        return self.serial

    # ---- the parts of the tree

    def add_original(self, folder, name):
        ext = os.path.splitext(name)[1]
        serial = self.new_serial()
        data = self.small_bytes(serial, ext, self.small_size())
        rel = os.path.join(folder, name)
        self.write(rel, data, self.mtime())
        self.content[rel] = serial
        self.sizes[serial] = len(data)
        self.by_folder.setdefault(folder, []).append(rel)
        self.originals.append(rel)

    def add_big(self, folder, name):
        serial = self.new_serial()
        size = self.rng.randint(10, 200) * MB + self.rng.randrange(MB)
        rel = self.free_name(folder, name)
        full = self.path(rel)
        with open(full, "wb") as f:
            for chunk in self.big_chunks(serial, size):
                f.write(chunk)
        mtime = self.mtime()
        os.utime(full, (mtime, mtime))
        self.files.append(rel)
        self.total_bytes += size
        self.content[rel] = serial
        self.sizes[serial] = size
        self.bigs.append(rel)

    def copy_bytes(self, src, dst, mtime):
        """Copy by reading and writing (no hardlink, no reflink), then set the copy's times."""
        os.makedirs(os.path.dirname(self.path(dst)), exist_ok=True)
        with open(self.path(src), "rb") as fin, open(self.path(dst), "xb") as fout:
            while chunk := fin.read(4 * MB):
                fout.write(chunk)
        os.utime(self.path(dst), (mtime, mtime))
        self.files.append(dst)
        self.total_bytes += os.path.getsize(self.path(dst))
        self.content[dst] = self.content[src]

    def copy_file(self, src, dest_folder):
        name = os.path.basename(src)
        style = self.rng.random()
        if style < 0.6:
            pass                                   # same name
        elif style < 0.8:
            name = f"Copy of {name}"
        else:
            stem, ext = os.path.splitext(name)
            name = f"{stem} - {self.rng.choice(['final', 'v2', 'backup', 'old', 'signed'])}{ext}"
        dst = self.free_name(dest_folder, name)
        # Copies keep the original's time (copied with times) or get a later one.
        src_mtime = int(os.stat(self.path(src)).st_mtime)
        mtime = src_mtime if self.rng.random() < 0.4 else self.mtime(after=src_mtime)
        self.copy_bytes(src, dst, mtime)
        return dst

    def other_folder(self, not_this):
        while True:
            folder = self.rng.choice(self.folders)
            if folder != not_this:
                return folder


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: make_dupes_tree.py ROOT N")
    root, n = os.path.abspath(sys.argv[1].rstrip("/")), int(sys.argv[2])
    big = int(os.environ.get("DUPES_BIG", "12"))
    params = f"n={n} big={big} version=1\n"
    marker = f"{root}.done-{n}"
    if os.path.exists(marker) and open(marker).read() == params and os.path.isdir(root):
        print(f"make_dupes_tree: {root} already holds {n} files ({params.strip()}), reusing it")
        return
    parent, base = os.path.split(root)
    for stale in os.listdir(parent) if os.path.isdir(parent) else []:
        if stale.startswith(base + ".done-") or stale == base + ".facts.json":
            os.remove(os.path.join(parent, stale))
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)

    t = Tree(root, n, big)
    rng = t.rng
    n_empty = max(2, n // 2000)
    n_link = max(2, n // 2000)
    n_decoy = max(2, n // 50)
    n_copy = round(0.30 * n)
    n_big_copies = (big + 2) // 3
    n_original = n - n_empty - n_link - n_decoy - n_copy - big - n_big_copies - (1 if big else 0)
    if n_original < max(10, n // 3):
        sys.exit(f"make_dupes_tree: N={n} is too small for DUPES_BIG={big}")

    # Originals in make_tree's folders, 50-200 a folder.
    made, folder_gen = 0, make_tree.folders(rng)
    while made < n_original:
        folder = next(folder_gen)
        t.folders.append(folder)
        for j in range(min(rng.randint(50, 200), n_original - made)):
            ext = rng.choice(make_tree.EXTENSIONS)
            t.add_original(folder, f"{rng.choice(make_tree.STEMS)} {j:03d}{ext}")
            made += 1

    # Big originals: rare, in ordinary folders.
    for _ in range(big):
        folder = rng.choice(t.folders)
        t.add_big(folder, f"{rng.choice(BIG_STEMS)} {rng.randint(1, 999):03d}{rng.choice(BIG_EXTENSIONS)}")

    # Whole copied folders, until about 40% of the copies are spent.
    copies = 0
    candidates = t.folders[:]
    rng.shuffle(candidates)
    for folder in candidates:
        members = t.by_folder[folder]
        if copies + len(members) > 0.4 * n_copy:
            continue
        dept = rng.choice(make_tree.DEPARTMENTS)
        dest = os.path.join(dept, "Archive", f"Copy of {os.path.basename(folder)}")
        k = 1
        while os.path.lexists(t.path(dest)):
            k += 1
            dest = os.path.join(dept, "Archive", f"Copy of {os.path.basename(folder)} ({k})")
        when = t.mtime()
        for src in members:
            src_mtime = int(os.stat(t.path(src)).st_mtime)
            t.copy_bytes(src, os.path.join(dest, os.path.basename(src)), max(when, src_mtime))
            copies += 1

    # Big copies: a third of the big files, one copy each in another folder.
    for src in rng.sample(t.bigs, n_big_copies):
        t.copy_file(src, t.other_folder(os.path.dirname(src)))

    # Single copies of small originals, mostly one, some originals copied several times.
    while copies < n_copy:
        src = rng.choice(t.originals)
        for _ in range(min(rng.choice([1, 1, 1, 1, 1, 1, 2, 2, 3, 4, 6]), n_copy - copies)):
            t.copy_file(src, t.other_folder(os.path.dirname(src)))
            copies += 1

    # Decoys: an original's size, other content. Half differ in one middle byte only.
    near_done = set()
    for i in range(n_decoy):
        src = rng.choice(t.originals)
        size = t.sizes[t.content[src]]
        dest = t.free_name(t.other_folder(os.path.dirname(src)), os.path.basename(src))
        if i % 2 == 0 and t.content[src] not in near_done:
            near_done.add(t.content[src])
            data = bytearray(open(t.path(src), "rb").read())
            data[size // 2] ^= 0xFF
            data = bytes(data)
        else:
            data = t.small_bytes(t.new_serial(), os.path.splitext(src)[1], size)
        serial = t.new_serial()
        t.write(dest, data, t.mtime())
        t.content[dest] = serial
        t.sizes[serial] = size
    if big:  # a big one-byte-off decoy of the smallest big file
        src = min(t.bigs, key=lambda p: t.sizes[t.content[p]])
        dest = t.free_name(t.other_folder(os.path.dirname(src)), f"Restored {os.path.basename(src)}")
        size = t.sizes[t.content[src]]
        with open(t.path(src), "rb") as fin, open(t.path(dest), "xb") as fout:
            while chunk := fin.read(4 * MB):
                fout.write(chunk)
            fout.seek(size // 2)
            fin.seek(size // 2)
            fout.write(bytes([fin.read(1)[0] ^ 0xFF]))
        when = t.mtime()
        os.utime(t.path(dest), (when, when))
        t.files.append(dest)
        t.total_bytes += size
        serial = t.new_serial()
        t.content[dest] = serial
        t.sizes[serial] = size

    # Hardlinks: half to originals that have copies, half to ones that have none.
    copied = {}
    for rel, cid in t.content.items():
        copied[cid] = copied.get(cid, 0) + 1
    with_copies = [p for p in t.originals if copied[t.content[p]] > 1]
    without = [p for p in t.originals if copied[t.content[p]] == 1]
    for i in range(n_link):
        src = rng.choice(with_copies if i % 2 == 0 or not without else without)
        if i % 2 == 1:
            without.remove(src)
        dest = t.free_name(t.other_folder(os.path.dirname(src)), f"Link to {os.path.basename(src)}")
        os.link(t.path(src), t.path(dest))
        t.files.append(dest)
        t.content[dest] = t.content[src]

    # Empty files, some pairs with the same name in other folders.
    for i in range(n_empty):
        name = "New Text Document.txt" if i % 2 == 0 else f"placeholder {i:03d}.txt"
        t.write(t.free_name(rng.choice(t.folders), name), b"", t.mtime())

    # The expected duplicate sets: paths grouped by content, two or more, non-empty.
    groups = {}
    for rel, cid in t.content.items():
        groups.setdefault(cid, []).append(os.path.join(root, rel))
    sets = sorted(sorted(paths) for paths in groups.values() if len(paths) > 1)
    facts = {
        "root": root, "files": len(t.files), "bytes": t.total_bytes,
        "originals": n_original, "big_files": big, "big_copies": n_big_copies,
        "copies": copies + n_big_copies, "decoys": n_decoy + (1 if big else 0),
        "hardlinks": n_link, "empty_files": n_empty,
        "sets": len(sets), "files_in_sets": sum(len(s) for s in sets),
        "expected_sets": sets,
    }
    with open(f"{root}.facts.json", "w") as f:
        json.dump(facts, f)
    with open(marker, "w") as f:
        f.write(params)
    print(f"make_dupes_tree: wrote {len(t.files)} files ({t.total_bytes / 1e9:.2f} GB), "
          f"{len(sets)} duplicate sets, under {root}")


if __name__ == "__main__":
    main()
