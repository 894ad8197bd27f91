#!/usr/bin/env python3
"""Generate MB megabytes of council-like plain text under ROOT for the detection benchmark.

Usage: bench/make_text.py ROOT MB

Files of 4 MiB each (under sweep's 16 MiB text cap), lines of correspondence prose with, every ~2 KB,
a planted value of some personal-data type (published test values and generated valid ones) or a
decoy. Deterministic. The marker ROOT.done-MB beside ROOT skips regeneration.
"""
import os
import random
import shutil
import sys

WORDS = ("the council resident officer application decision housing budget meeting report review planning "
         "care payment contract agreed action notes please find attached regards dear committee date reference "
         "case team manager service request approved pending visit tenancy repair complaint").split()
PLANTS = ["NI number JK 12 34 56 C", "NHS number 943 476 5919", "card 4111 1111 1111 1111", "email jane.doe@example.org",
          "tel 07700 900123", "postcode SW1A 1AA", "IBAN GB82 WEST 1234 5698 7654 32", "DOB: 03/05/1987",
          "passport number 925076473", "sort code 40-47-84 account 70872490", "host 192.0.2.41",
          "licence MORGA657054SM9IJ", "GP informed of medication", "version 1.2.3.4", "invoice 9434765918",
          "Message-ID: <20220315.4411@mail.example.net>"]
FILE = 4 << 20


def main():
    root, mb = sys.argv[1].rstrip("/"), int(sys.argv[2])
    marker = f"{root}.done-{mb}"
    if os.path.exists(marker):
        print(f"make_text: {root} already holds {mb} MB, reusing it")
        return
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    rng = random.Random(mb)
    files = max(1, (mb << 20) // FILE)
    for i in range(files):
        parts, size = [], 0
        while size < FILE:
            line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20)))
            if rng.random() < 0.06:
                line += " " + rng.choice(PLANTS) + "."
            parts.append(line)
            size += len(line) + 1
        with open(os.path.join(root, f"letters-{i:04d}.txt"), "w") as f:
            f.write("\n".join(parts)[:FILE])
    open(marker, "w").close()
    print(f"make_text: wrote {files} files, {files * FILE >> 20} MB under {root}")


if __name__ == "__main__":
    main()
