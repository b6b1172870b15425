#!/usr/bin/env python3
"""mrc_oracle.py - a second, independent implementation of vmsim's trace
formats and of its oracles (LRU, FIFO, CLOCK, OPT: faults and dirty
write-backs), naive and slow on purpose: it shares no code with sim/ and
is written from the definitions in sim/mrc.h and sim/trace_fmt.h.

  mrc_oracle.py gen DIR              write the test traces into DIR
  mrc_oracle.py check FORMAT TRACE JSON [noifetch]
        compare vmsim --mrc --json output (file JSON) with this oracle on
        TRACE read as FORMAT; exit 1 on any difference
  mrc_oracle.py compare FORMAT TRACE JSON
        the same for vmsim --compare --json (LRU, FIFO, OPT at its frames)
"""
import json
import os
import random
import struct
import sys

PAGE = 4096


# ---- formats: each yields (key, write); keys keep the trace's own order ----

def num(s, hexdefault=False):
    s = s.strip()
    if s.lower().startswith("0x"):
        return int(s[2:], 16)
    return int(s, 16 if hexdefault else 10)


def data_lines(path):
    with open(path, "r", encoding="latin-1") as f:
        for line in f:
            line = line.rstrip("\r\n").rstrip()
            if not line.strip() or line.strip().startswith("#"):
                continue
            yield line


def refs_vmsim(path):
    for line in data_lines(path):
        op, val = line.split()[:2]
        page = num(val) // PAGE if val.lower().startswith("0x") else int(val)
        yield page, op.upper() == "W"


def refs_lackey(path, noifetch=False):
    for line in data_lines(path):
        if line.startswith("=="):
            continue
        kind, rest = line.split(None, 1)
        addr, size = rest.split(",")
        addr, size = int(addr, 16), int(size)
        pages = range(addr // PAGE, (addr + size - 1) // PAGE + 1)
        if kind == "I" and noifetch:
            continue
        if kind in "ILM":
            for p in pages:
                yield p, False
        if kind in "SM":
            for p in pages:
                yield p, True


def refs_addr_rw(path):
    for line in data_lines(path):
        a, op = line.split()
        yield num(a) // PAGE, op.upper() == "W"


def refs_rw_addr(path):
    for line in data_lines(path):
        op, a = line.split()
        yield num(a) // PAGE, op.upper() == "W"


def refs_addr(path):
    for line in data_lines(path):
        yield num(line) // PAGE, False


def refs_og(path):
    data = open(path, "rb").read()
    assert len(data) % 24 == 0
    for i in range(0, len(data), 24):
        _t, oid, size, _n = struct.unpack_from("<IQIq", data, i)
        if size:
            yield oid, False


def refs_og_csv(path):
    first = True
    for line in data_lines(path):
        f = [x.strip() for x in line.split(",")]
        if first and not f[0].lstrip("-").isdigit():
            first = False
            continue
        first = False
        if int(f[2]):
            yield int(f[1]), False


READERS = {"vmsim": refs_vmsim, "lackey": refs_lackey, "addr-rw": refs_addr_rw,
           "rw-addr": refs_rw_addr, "addr": refs_addr, "oraclegeneral": refs_og,
           "oraclegeneral-csv": refs_og_csv}


def load(fmt, path, noifetch=False):
    if fmt == "lackey":
        return list(refs_lackey(path, noifetch))
    return list(READERS[fmt](path))


# ---- policies, straight from their definitions ----

def lru(refs, frames):
    stack, dirty, faults, wb = [], {}, 0, 0      # stack[0] most recent
    for k, w in refs:
        if k in stack:
            stack.remove(k)
        else:
            faults += 1
            if len(stack) == frames:
                v = stack.pop()
                wb += dirty.pop(v)
            dirty[k] = False
        stack.insert(0, k)
        dirty[k] = dirty[k] or w
    return faults, wb


def fifo(refs, frames):
    queue, dirty, faults, wb = [], {}, 0, 0
    for k, w in refs:
        if k not in dirty:
            faults += 1
            if len(queue) == frames:
                v = queue.pop(0)
                wb += dirty.pop(v)
            queue.append(k)
            dirty[k] = False
        dirty[k] = dirty[k] or w
    return faults, wb


def clock(refs, frames):
    slot_page, slot_bit, where, dirty = [], [], {}, {}
    hand, faults, wb = 0, 0, 0
    for k, w in refs:
        if k in where:
            slot_bit[where[k]] = 1
            dirty[k] = dirty[k] or w
            continue
        faults += 1
        if len(slot_page) < frames:
            slot_page.append(k)
            slot_bit.append(1)
            where[k] = len(slot_page) - 1
        else:
            while slot_bit[hand]:
                slot_bit[hand] = 0
                hand = (hand + 1) % frames
            v = slot_page[hand]
            wb += dirty.pop(v)
            del where[v]
            slot_page[hand], slot_bit[hand], where[k] = k, 1, hand
            hand = (hand + 1) % frames
        dirty[k] = w
    return faults, wb


def opt(refs, frames):
    n = len(refs)
    nxt, last = [0] * n, {}
    for i in range(n - 1, -1, -1):
        nxt[i] = last.get(refs[i][0], float("inf"))
        last[refs[i][0]] = i
    when, dirty, faults, wb = {}, {}, 0, 0    # resident page -> its next use
    for i, (k, w) in enumerate(refs):
        if k not in when:
            faults += 1
            if len(when) == frames:
                v = max(when, key=lambda p: (when[p], p))   # farthest; then highest page
                del when[v]
                wb += dirty.pop(v)
            dirty[k] = False
        when[k] = nxt[i]
        dirty[k] = dirty[k] or w
    return faults, wb


POLICIES = {"lru": lru, "fifo": fifo, "clock": clock, "opt": opt}


# ---- the checks ----

def check(fmt, path, jpath, noifetch=False):
    refs = load(fmt, path, noifetch)
    j = json.load(open(jpath))
    bad = 0
    t = j["trace"]
    distinct = len(set(k for k, _ in refs))
    if t["references"] != len(refs) or t["distinct_pages"] != distinct or \
       t["writes"] != sum(w for _, w in refs):
        print("trace: vmsim says %s, the oracle %d refs, %d distinct" %
              (t, len(refs), distinct))
        bad += 1
    for name, fn in POLICIES.items():
        pts = j["mrc"][name]
        if not pts:
            bad += 1
        for pt in pts:
            f, wb = fn(refs, pt["frames"])
            if (f, wb) != (pt["faults"], pt["writebacks"]):
                print("%s %s at %d frames: vmsim %d faults %d write-backs, oracle %d, %d" %
                      (path, name, pt["frames"], pt["faults"], pt["writebacks"], f, wb))
                bad += 1
    print("checked %d references, %d points per policy" % (len(refs), len(j["mrc"]["lru"])))
    return bad


def compare(fmt, path, jpath):
    refs = load(fmt, path)
    c = json.load(open(jpath))["compare"]
    bad = 0
    for name in ("lru", "fifo", "opt"):
        f, _ = POLICIES[name](refs, c["frames"])
        if f != c[name]:
            print("%s --compare %s: vmsim %d, oracle %d" % (path, name, c[name], f))
            bad += 1
    return bad


# ---- test traces ----

def gen(d):
    rnd = random.Random(11)
    pages = [rnd.randrange(0, 300) for _ in range(60)]

    def stream(n):      # locality: mostly near the last page, sometimes a jump
        cur = 0
        for _ in range(n):
            cur = rnd.choice(pages) if rnd.random() < 0.1 else max(0, cur + rnd.randrange(-3, 4))
            yield cur, rnd.random() < 0.3

    with open(os.path.join(d, "v.trace"), "w") as f:
        f.write("# vmsim format\n")
        for p, w in stream(3000):
            f.write("%s %s\n" % ("W" if w else "R", p if rnd.random() < 0.7 else hex(p * PAGE + 12)))
    with open(os.path.join(d, "l.lackey"), "w") as f:
        f.write("==123== Lackey, an example Valgrind tool\n==123== Command: prog\n")
        for p, w in stream(2500):
            a = 0x4000000 + p * PAGE + rnd.choice([0, 8, 4092, 4088, 4090])
            kind = rnd.choice("ILLSM") if not w else rnd.choice("SM")
            size = rnd.choice([1, 4, 8, 16]) if kind != "I" else rnd.choice([2, 3, 5, 7])
            if kind == "I":
                f.write("I  %08x,%d\n" % (a, size))
            else:
                f.write(" %s %08x,%d\n" % (kind, a, size))
        f.write("==123== \n==123== I   refs:      1,234\n")
    with open(os.path.join(d, "c1.addrrw"), "w") as f:
        for p, w in stream(2000):
            a = 0x7f0000000000 + p * PAGE + rnd.randrange(PAGE)
            f.write(("0x%x %s\n" % (a, "W" if w else "R")) if rnd.random() < 0.5 else
                    ("%d %s\n" % (a, "w" if w else "r")))
    with open(os.path.join(d, "c2.rwaddr"), "w") as f:
        for p, w in stream(2000):
            f.write("%s 0x%x\n" % ("W" if w else "R", p * PAGE + rnd.randrange(PAGE)))
    with open(os.path.join(d, "c3.addr"), "w") as f:
        for p, _ in stream(2000):
            f.write("%d\n" % (p * PAGE * 3 + rnd.randrange(PAGE)))
    recs = list(stream(2000))
    with open(os.path.join(d, "og.bin"), "wb") as f:
        for i, (p, _) in enumerate(recs):
            f.write(struct.pack("<IQIq", 1000 + i, p * 7919 + 12345678901, 0 if i % 97 == 5 else 4096,
                                -1 if i % 3 else i + 5))
    with open(os.path.join(d, "og.csv"), "w") as f:
        f.write("# time,object,size,next_access_vtime\n")
        for i, (p, _) in enumerate(recs):
            f.write("%d,%d,%d,%d\n" % (1000 + i, p * 7919 + 12345678901,
                                       0 if i % 97 == 5 else 4096, -1 if i % 3 else i + 5))


def main():
    cmd = sys.argv[1]
    if cmd == "gen":
        gen(sys.argv[2])
        return 0
    if cmd == "check":
        return 1 if check(sys.argv[2], sys.argv[3], sys.argv[4], len(sys.argv) > 5) else 0
    if cmd == "compare":
        return 1 if compare(sys.argv[2], sys.argv[3], sys.argv[4]) else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
