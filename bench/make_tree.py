#!/usr/bin/env python3
"""Generate a council-share-like tree of N small files under ROOT, for `make bench`.

Usage: bench/make_tree.py ROOT N

Department folders with nested topic/year/case subfolders, 50-200 files per folder, mixed office
extensions, each file a few hundred bytes to a few KB: the format's real leading bytes (PDF header, zip
local header naming [Content_Types].xml, OLE2 compound-file header) then random-ish text, so type
detection sees what it sees on a real share, with a modified time spread over 2010-2025. Deterministic (seeded by N). The marker ROOT.done-N, beside ROOT, records a finished
tree: when it exists nothing is done; otherwise ROOT is removed and generated afresh.
"""
import os
import random
import shutil
import sys

DEPARTMENTS = ["HR", "Finance", "Planning", "Social Care", "Legal", "Housing", "Highways",
               "Education", "Environmental Health", "Licensing", "Revenues and Benefits",
               "Democratic Services", "Waste", "IT", "Procurement", "Communications"]
TOPICS = ["Policies", "Reports", "Correspondence", "Meetings", "Projects", "Archive",
          "Contracts", "Cases", "Complaints", "FOI Requests", "Budgets", "Training"]
LEAVES = ["Case", "Ref", "Batch", "Project", "Application", "Team"]
STEMS = ["Minutes", "Agenda", "Invoice", "Budget", "Report", "Letter", "Contract", "Timesheet",
         "Assessment", "Application", "Notes", "Policy", "Review", "Statement", "Plan", "Quote"]
EXTENSIONS = [".docx"] * 5 + [".xlsx"] * 3 + [".pdf"] * 4 + [".txt"] * 2 + [".csv"] * 2 + [".msg"] * 3
WORDS = ("the council resident officer application decision housing budget meeting report review "
         "planning care payment contract agreed action notes please find attached regards dear "
         "committee date reference case team manager service request approved pending").split()
EPOCH_2010, EPOCH_2026 = 1262304000, 1767225600
ZIP_HEAD = b"PK\x03\x04\x14\x00\x06\x00\x08\x00" + bytes(16) + b"\x13\x00\x00\x00[Content_Types].xml"
HEADERS = {
    ".pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
    ".docx": ZIP_HEAD,
    ".xlsx": ZIP_HEAD,
    ".msg": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + b"\x3e\x00\x03\x00\xfe\xff\x09\x00" + bytes(488),
}


def folders(rng):
    """Endless distinct folder paths: dept/topic[/year[/leaf NNNNN]]."""
    seen, serial = set(), 0
    while True:
        parts = [rng.choice(DEPARTMENTS), rng.choice(TOPICS)]
        depth = rng.choice([0, 1, 1, 2, 2, 2])
        if depth >= 1:
            parts.append(str(rng.randint(2010, 2025)))
        if depth >= 2 or os.path.join(*parts) in seen:
            serial += 1
            parts.append(f"{rng.choice(LEAVES)} {serial:05d}")
        path = os.path.join(*parts)
        seen.add(path)
        yield path


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: make_tree.py ROOT N")
    root, n = sys.argv[1].rstrip("/"), int(sys.argv[2])
    marker = f"{root}.done-{n}"
    if os.path.exists(marker):
        print(f"make_tree: {root} already holds {n} files, reusing it")
        return
    parent, base = os.path.split(os.path.abspath(root))
    for stale in os.listdir(parent) if os.path.isdir(parent) else []:
        if stale.startswith(base + ".done-"):
            os.remove(os.path.join(parent, stale))
    shutil.rmtree(root, ignore_errors=True)
    rng = random.Random(n)
    pool = " ".join(rng.choice(WORDS) for _ in range(200_000)).encode()

    made = 0
    for folder in folders(rng):
        if made >= n:
            break
        directory = os.path.join(root, folder)
        os.makedirs(directory, exist_ok=True)
        for j in range(min(rng.randint(50, 200), n - made)):
            ext = rng.choice(EXTENSIONS)
            name = f"{rng.choice(STEMS)} {j:03d}{ext}"
            size = int(rng.triangular(300, 6000, 800))
            start = rng.randrange(len(pool) - size)
            mtime = rng.randrange(EPOCH_2010, EPOCH_2026)
            fd = os.open(os.path.join(directory, name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.write(fd, HEADERS.get(ext, b"") + pool[start:start + size])
            os.utime(fd, (mtime, mtime))
            os.close(fd)
            made += 1

    open(marker, "w").close()
    print(f"make_tree: wrote {made} files under {root}")


if __name__ == "__main__":
    main()
