#!/usr/bin/env python3
"""Generate a mixed tree of ordinary council files for the per-item benchmarks (bench/mixed.sh).

Usage: bench/make_mixed_tree.py ROOT [N]        (N files, default 20000)

What a department share holds, as valid files of every family Sweep reads: Word documents and workbooks
(Office Open XML), PDFs of 1-12 pages, plain-text notes and CSV extracts, HTML pages, single messages
(.eml with attachments), a few mailboxes (mbox) and zip archives of documents. Sizes run from a few hundred
bytes to a few megabytes, most of them small (a long tail, as on real shares). Folders are nested
dept/topic[/year[/case NNNNN]], 5-40 files each.

About 20% of the files are byte-identical copies of others: whole folders copied under a department's
"Archive/Copy of ..." (as councils copy trees) and single copies elsewhere, some originals copied several
times. The rest are distinct (each carries a serial number), so the duplicate sets are known; they are
written to ROOT.facts.json with the file, byte and copy counts.

Deterministic (seeded by N). The marker ROOT.done-N beside ROOT skips regeneration. Python standard
library only; the document builders are bench/make_corpus.py's.
"""
import importlib.util
import io
import json
import os
import random
import shutil
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
VERSION = 2   # bump when the output changes: the marker names it


def load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


corpus = load("make_corpus")
tree = load("make_tree")


def size_class(rng):
    """Target text size: mostly small, a long tail of large ones."""
    r = rng.random()
    if r < 0.60:
        return rng.randint(300, 6_000)
    if r < 0.88:
        return rng.randint(6_000, 40_000)
    if r < 0.985:
        return rng.randint(40_000, 150_000)
    return rng.randint(150_000, 1_000_000)


def small_html(rng, prose, size, tag):
    title = prose.title()
    body = "".join(f"<p>{corpus.xml_escape(p)}</p>\n" for p in prose.text(size).split("\n\n"))
    return (f"<!DOCTYPE html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>{title}</title></head><body>"
            f"<h1>{title}</h1><p>{tag}</p>\n{body}</body></html>\n").encode()


def small_zip(rng, prose, tag):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(corpus.zinfo("README.txt"), tag)
        for i in range(rng.randint(3, 12)):
            stem = "-".join(rng.choices(corpus.WORDS, k=3))
            if rng.random() < 0.6:
                z.writestr(corpus.zinfo(f"{stem}-{i}.txt"), prose.text(min(size_class(rng), 60_000)))
            else:
                z.writestr(corpus.zinfo(f"{stem}-{i}.docx"), corpus.docx_bytes(rng, prose, min(size_class(rng), 60_000) + 1_000))
    return buf.getvalue()


def build(rng, prose, serial):
    """One original file: (extension, bytes). Every one carries its serial, so no two are equal by accident."""
    tag = f"Reference {serial:07d}. "
    r = rng.random()
    size = size_class(rng)
    if r < 0.26:
        return "docx", corpus.docx_bytes(rng, prose, max(size, 1_500))
    if r < 0.38:
        return "xlsx", corpus.make_xlsx(rng, prose, rows=max(5, size // 300))
    if r < 0.55:
        return "pdf", corpus.make_pdf(rng, prose, pages=rng.randint(1, 3 if size < 40_000 else 12))
    if r < 0.70:
        return "txt", (tag + prose.text(size)).encode()
    if r < 0.78:
        return "csv", (f"ref,{serial}\n").encode() + corpus.make_csv(rng, prose, max(5, size // 120))
    if r < 0.85:
        return "html", small_html(rng, prose, size, tag)
    if r < 0.97:
        atts = [corpus.attachment(rng, prose) for _ in range(rng.choice([0, 0, 0, 0, 1, 1, 2]))]
        return "eml", corpus.message(rng, prose, serial, atts, min(size, 30_000)).encode()
    if r < 0.99:
        return "zip", small_zip(rng, prose, tag)
    msgs = []
    for i in range(rng.randint(5, 40)):
        atts = [corpus.attachment(rng, prose)] if rng.random() < 0.1 else []
        msgs.append("From MAILER-DAEMON Mon Jun 14 09:30:00 2021\n" + corpus.message(rng, prose, serial * 100 + i, atts,
                                                                                     rng.randint(500, 8_000)))
    return "mbox", "\n".join(msgs).encode()


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    root = sys.argv[1].rstrip("/")
    n = int(sys.argv[2]) if len(sys.argv) == 3 else 20_000
    marker = f"{root}.done-{n}-v{VERSION}"
    if os.path.exists(marker):
        print(f"make_mixed_tree: {root} already holds {n} files, reusing it")
        return
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    rng = random.Random(f"mixed-{n}")
    prose = corpus.Prose(rng, plant_rate=0.02)
    paths = tree.folders(rng)
    originals = []          # (relative path, bytes)
    files = copies = total = 0
    sets = {}               # original relative path -> [copies]
    serial = 0

    def write(rel, data):
        nonlocal files, total
        full = os.path.join(root, rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(data)
        files += 1
        total += len(data)

    while files < n:
        folder = next(paths)
        count = rng.randint(5, 40)
        made = []
        for _ in range(count):
            if files >= n:
                break
            serial += 1
            ext, data = build(rng, prose, serial)
            stem = f"{rng.choice(tree.STEMS)} {serial:06d}"
            rel = os.path.join(folder, f"{stem}.{ext}")
            write(rel, data)
            originals.append((rel, data))
            made.append((rel, data))
        # Now and then the whole folder is copied into its department's archive (about 10% of files).
        if made and rng.random() < 0.10 and files + len(made) <= n:
            dept = folder.split(os.sep)[0]
            copy_root = os.path.join(dept, "Archive", f"Copy of {os.path.basename(folder)} {serial:06d}")
            for rel, data in made:
                dup = os.path.join(copy_root, os.path.basename(rel))
                write(dup, data)
                sets.setdefault(rel, []).append(dup)
                copies += 1
        # And single files are copied elsewhere (about 10% of files, a third of those more than once).
        for _ in made:
            if files >= n or rng.random() >= 0.10:
                continue
            rel, data = rng.choice(originals)
            for _ in range(1 if rng.random() < 0.67 else rng.randint(2, 4)):
                if files >= n:
                    break
                dup = os.path.join(next(paths), os.path.basename(rel))
                write(dup, data)
                sets.setdefault(rel, []).append(dup)
                copies += 1

    facts = {"files": files, "bytes": total, "copies": copies, "sets": len(sets),
             "expected_sets": sorted(sorted([k] + v) for k, v in sets.items())}
    with open(f"{root}.facts.json", "w") as f:
        json.dump(facts, f)
    open(marker, "w").close()
    print(f"make_mixed_tree: {files} files, {total / 2**20:.1f} MB, {copies} copies ({100 * copies / files:.0f}%) in {len(sets)} sets")


if __name__ == "__main__":
    main()
