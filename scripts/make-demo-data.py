#!/usr/bin/env python3
"""Derives Rapport's demo customers from the public X Education lead-scoring data set.

    scripts/make-demo-data.py [--source PATH] [--output PATH] [--rows N]

Reads  ../shared/datasets/lead_scoring_x_education/Leads.csv (9,240 leads of an Indian online-
education company; see that folder's README) and writes
Sources/RapportApp/Resources/demo-customers.csv, which `rapport serve --demo` and `rapport demo`
load (Sources/RapportApp/Demo/). Deterministic: no randomness at all; every choice below is made
from the SHA-256 of the lead's Prospect ID (or a fixed salt), so the same input gives the same
bytes. Standard library only.

What is taken from the data (one output row per lead):
  * The sample: the N (default 1,400) leads with the smallest SHA-256 of their Prospect ID, plus
    every lead with Do Not Call = Yes (there are two), ordered oldest first by Lead Number.
  * Columns kept, with `Select` (the form's "not filled in") and blanks both written as empty:
    prospect_id, origin (Lead Origin), source (Lead Source), do_not_email / do_not_call (1/0),
    converted (1/0), visits (TotalVisits, whole number), seconds_on_site (Total Time Spent on
    Website), last_activity, country, city, specialization, occupation (What is your current
    occupation), tags (Tags: the sales team's after-the-fact note; it leaks the outcome, which is
    exactly what a demo wants and what a scoring model must not use).
  * first_seen_days_ago: the lead's age, from its Lead Number (numbers grow with time): the
    sample's oldest lead is 360 days old, its newest 3, linear in between.

What is synthesised (the data set has no names, phones or emails; no real person is named):
  * name: 80 % Chinese names (a common surname and one or two given characters), 20 % English
    names; email: the name's pinyin or English spelling plus four hex digits at example.com,
    example.cn, example.net or example.org (reserved domains), for 85 % of the leads; phone: a
    CN mobile number (13x, 15x except 154, 18x; checked against libphonenumber's CN mobile
    pattern), except for leads tagged "number not provided". Phones and emails are unique.
  * wechat_unionid: an `o…` id (28 characters) for leads whose last activity was a chat.
  * The learner: working professionals and business people learn themselves (grade `adult`);
    students are senior-high students or adults; everyone else is read as a parent enrolling a
    child: learner_name (the child, same surname) and grade (preschool … senior_3).
  * Families (parent): three in four students get a parent among the other leads (a parent of
    a child, not yet paired, with a phone): the student takes the parent's surname (or family
    name), the parent's learner is the student, parent_phone is the parent's phone.
  * Referrals (referrer): each lead whose Lead Source is `Reference` names an older converted
    lead as its referrer (the same few referrers bring several, as in life).
  * Duplicates (dup_of): 12 extra rows are other leads from the data set (not in the sample)
    that carry the identity of a sampled lead with the phone written another way (+86, spaces,
    dashes, 0086) and another email or none: the same person asking twice, for the duplicates
    report.
"""

import argparse
import csv
import hashlib
import io
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SOURCE = os.path.join(HERE, "..", "..", "shared", "datasets", "lead_scoring_x_education", "Leads.csv")
DEFAULT_OUTPUT = os.path.join(HERE, "..", "Sources", "RapportApp", "Resources", "demo-customers.csv")

# libphonenumber's CN mobile pattern (PhoneNumberMetadata.xml), to be sure every number is valid.
CN_MOBILE = re.compile(r"1(?:610\d|740[0-5])\d{6}|1(?:[38]\d|4[57]|[59][0-35-9]|6[25-7]|7[0-35-8])\d{8}")
MOBILE_PREFIXES = [f"13{d}" for d in range(10)] + [f"15{d}" for d in range(10) if d != 4] + [f"18{d}" for d in range(10)]

SURNAMES = [
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"), ("黄", "huang"),
    ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"),
    ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("高", "gao"), ("林", "lin"), ("罗", "luo"), ("郑", "zheng"),
    ("梁", "liang"), ("谢", "xie"), ("宋", "song"), ("唐", "tang"), ("许", "xu"), ("韩", "han"), ("冯", "feng"),
    ("邓", "deng"), ("曹", "cao"), ("彭", "peng"), ("曾", "zeng"), ("肖", "xiao"), ("田", "tian"), ("董", "dong"),
    ("潘", "pan"), ("袁", "yuan"), ("蔡", "cai"), ("蒋", "jiang"), ("余", "yu"), ("于", "yu"), ("杜", "du"),
    ("叶", "ye"), ("程", "cheng"), ("魏", "wei"), ("苏", "su"), ("吕", "lv"), ("丁", "ding"), ("沈", "shen"),
    ("姚", "yao"), ("卢", "lu"), ("姜", "jiang"), ("崔", "cui"), ("钟", "zhong"), ("谭", "tan"), ("陆", "lu"),
    ("范", "fan"), ("金", "jin"), ("石", "shi"), ("廖", "liao"), ("方", "fang"), ("欧阳", "ouyang"),
]
GIVEN = [
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"), ("强", "qiang"),
    ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("娟", "juan"),
    ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("秀", "xiu"), ("霞", "xia"), ("平", "ping"), ("刚", "gang"),
    ("英", "ying"), ("华", "hua"), ("玲", "ling"), ("婷", "ting"), ("宇", "yu"), ("浩", "hao"), ("欣", "xin"),
    ("怡", "yi"), ("佳", "jia"), ("子", "zi"), ("涵", "han"), ("轩", "xuan"), ("晨", "chen"), ("博", "bo"),
    ("雪", "xue"), ("琳", "lin"), ("思", "si"), ("梓", "zi"), ("文", "wen"), ("建", "jian"), ("国", "guo"),
    ("志", "zhi"), ("海", "hai"), ("红", "hong"), ("慧", "hui"), ("俊", "jun"), ("鹏", "peng"), ("飞", "fei"),
    ("悦", "yue"), ("然", "ran"), ("一", "yi"), ("诺", "nuo"), ("睿", "rui"), ("泽", "ze"), ("雨", "yu"),
    ("彤", "tong"), ("昊", "hao"), ("嘉", "jia"), ("瑶", "yao"),
]
ENGLISH_FIRST = [
    "Emma", "Olivia", "Sophia", "Lily", "Grace", "Chloe", "Emily", "Hannah", "Amelia", "Zoe", "Mia", "Ella",
    "James", "Oliver", "Jack", "Henry", "Lucas", "Ethan", "Daniel", "Leo", "Samuel", "David", "Ryan", "Kevin",
]
ENGLISH_LAST = [
    "Smith", "Brown", "Taylor", "Wilson", "Evans", "Walker", "Wright", "Green", "Hall", "Wood", "Clarke",
    "Turner", "Hill", "Cooper", "Ward", "Morris", "Baker", "Carter", "Parker", "Bennett",
]
EMAIL_DOMAINS = ["example.com", "example.cn", "example.net", "example.org"]
K12_GRADES = ["preschool"] + [f"primary_{n}" for n in range(1, 7)] + [f"junior_{n}" for n in range(1, 4)] + [f"senior_{n}" for n in range(1, 4)]
SELF_LEARNERS = {"Working Professional", "Businessman"}

COLUMNS = [
    "prospect_id", "origin", "source", "do_not_email", "do_not_call", "converted", "visits", "seconds_on_site",
    "last_activity", "country", "city", "specialization", "occupation", "tags", "first_seen_days_ago",
    "name", "phone", "email", "wechat_unionid", "learner_name", "grade", "parent_phone", "parent", "referrer", "dup_of",
]
DUPLICATES = 12


def digest(*parts):
    """The SHA-256 of the parts as an integer: every 'random' choice comes from here."""
    return int.from_bytes(hashlib.sha256("|".join(parts).encode()).digest(), "big")


def pick(items, *parts):
    return items[digest(*parts) % len(items)]


def clean(value):
    value = (value or "").strip()
    return "" if value == "Select" else value


class Identities:
    """Names, phones and emails, unique across the file."""

    def __init__(self):
        self.phones = set()
        self.emails = set()

    def person(self, pid, surname=None):
        """(display name, email local part, surname pair, is Chinese)."""
        chinese = surname is not None or digest(pid, "script") % 5 != 0
        if chinese:
            surname = surname or pick(SURNAMES, pid, "surname")
            given = [pick(GIVEN, pid, "given1")]
            if digest(pid, "given-length") % 3 != 0:
                given.append(pick(GIVEN, pid, "given2"))
            name = surname[0] + "".join(g[0] for g in given)
            local = surname[1] + "." + "".join(g[1] for g in given)
            return name, local, surname, True
        first, last = pick(ENGLISH_FIRST, pid, "first"), pick(ENGLISH_LAST, pid, "last")
        return f"{first} {last}", f"{first}.{last}".lower(), None, False

    def child(self, pid, surname, chinese):
        if chinese:
            given = [pick(GIVEN, pid, "child1"), pick(GIVEN, pid, "child2")]
            return surname[0] + "".join(g[0] for g in given)
        return f"{pick(ENGLISH_FIRST, pid, 'child')} {surname}"

    def phone(self, pid):
        salt = 0
        while True:
            number = pick(MOBILE_PREFIXES, pid, "prefix", str(salt)) + f"{digest(pid, 'phone', str(salt)) % 100_000_000:08d}"
            if CN_MOBILE.fullmatch(number) and number not in self.phones:
                self.phones.add(number)
                return number
            salt += 1

    def email(self, pid, local):
        salt = 0
        while True:
            address = f"{local}.{digest(pid, 'email', str(salt)) % 65536:04x}@{pick(EMAIL_DOMAINS, pid, 'domain')}"
            if address not in self.emails:
                self.emails.add(address)
                return address
            salt += 1


def reformatted(phone, pid):
    """The same number written another way (what a second web form or a rep types)."""
    style = digest(pid, "format") % 4
    if style == 0:
        return f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}"
    if style == 1:
        return f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"
    if style == 2:
        return f"0086 {phone}"
    return f"+86-{phone}"


def base_row(lead):
    visits = clean(lead["TotalVisits"])
    return {
        "prospect_id": lead["Prospect ID"],
        "origin": clean(lead["Lead Origin"]),
        "source": clean(lead["Lead Source"]),
        "do_not_email": "1" if lead["Do Not Email"] == "Yes" else "0",
        "do_not_call": "1" if lead["Do Not Call"] == "Yes" else "0",
        "converted": "1" if lead["Converted"] == "1" else "0",
        "visits": str(int(float(visits))) if visits else "",
        "seconds_on_site": clean(lead["Total Time Spent on Website"]),
        "last_activity": clean(lead["Last Activity"]),
        "country": clean(lead["Country"]),
        "city": clean(lead["City"]),
        "specialization": clean(lead["Specialization"]),
        "occupation": clean(lead["What is your current occupation"]),
        "tags": clean(lead["Tags"]),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", default=DEFAULT_SOURCE)
    parser.add_argument("--output", default=DEFAULT_OUTPUT)
    parser.add_argument("--rows", type=int, default=1400)
    args = parser.parse_args()

    with open(args.source, newline="", encoding="utf-8") as handle:
        leads = list(csv.DictReader(handle))
    ranked = sorted(leads, key=lambda lead: hashlib.sha256(lead["Prospect ID"].encode()).hexdigest())
    chosen = {lead["Prospect ID"] for lead in ranked[: args.rows]}
    chosen |= {lead["Prospect ID"] for lead in leads if lead["Do Not Call"] == "Yes"}
    sample = sorted((lead for lead in leads if lead["Prospect ID"] in chosen), key=lambda lead: int(lead["Lead Number"]))
    spare = [lead for lead in ranked[args.rows:] if lead["Prospect ID"] not in chosen and lead["Do Not Call"] != "Yes"]

    numbers = [int(lead["Lead Number"]) for lead in sample]
    low, high = min(numbers), max(numbers)
    ids = Identities()
    rows = []
    for lead in sample:
        row = base_row(lead)
        pid = row["prospect_id"]
        row["first_seen_days_ago"] = str(round(360 - (int(lead["Lead Number"]) - low) * 357 / max(high - low, 1)))
        name, local, surname, chinese = ids.person(pid)
        row.update(name=name, phone="" if row["tags"] == "number not provided" else ids.phone(pid))
        row["email"] = ids.email(pid, local) if digest(pid, "has-email") % 100 < 85 else ""
        row["wechat_unionid"] = "o" + hashlib.sha256(f"wechat|{pid}".encode()).hexdigest()[:27] if row["last_activity"] == "Olark Chat Conversation" else ""
        occupation = row["occupation"]
        if occupation in SELF_LEARNERS:
            row.update(learner_name="", grade="adult")
        elif occupation == "Student":
            row.update(learner_name="", grade=pick(["senior_1", "senior_2", "senior_3", "adult"], pid, "grade"))
        else:
            child_surname = surname if chinese else name.split(" ")[1]
            row.update(learner_name=ids.child(pid, child_surname, chinese), grade=pick(K12_GRADES, pid, "grade"))
        row.update(parent_phone="", parent="", referrer="", dup_of="")
        row["_surname"], row["_chinese"] = surname, chinese
        rows.append(row)

    # Families: three in four students get a parent among the parents of a child.
    used = set()
    for student in (row for row in rows if row["occupation"] == "Student"):
        pid = student["prospect_id"]
        if digest(pid, "has-parent") % 4 == 0:
            continue
        candidates = [row for row in rows if row["learner_name"] and row["phone"] and row["_chinese"] == student["_chinese"]
                      and row["prospect_id"] not in used and row is not student]
        if not candidates:
            continue
        parent = pick(candidates, pid, "parent")
        used.add(parent["prospect_id"])
        if student["_chinese"]:
            student["name"] = parent["_surname"][0] + student["name"][len(student["_surname"][0]):]
            local = parent["_surname"][1] + "." + student["email"].split("@")[0].split(".")[1] if student["email"] else ""
        else:
            student["name"] = student["name"].split(" ")[0] + " " + parent["name"].split(" ")[1]
            local = student["name"].replace(" ", ".").lower()
        if student["email"]:
            ids.emails.discard(student["email"])
            student["email"] = ids.email(pid, local)
        student["parent"] = parent["prospect_id"]
        student["parent_phone"] = parent["phone"]
        parent["learner_name"], parent["grade"] = student["name"], student["grade"]

    # Referrals: leads from `Reference` name an older converted lead; a few referrers bring several.
    for index, row in enumerate(rows):
        if row["source"] != "Reference":
            continue
        earlier = [other for other in rows[:index] if other["converted"] == "1" and not other["dup_of"]]
        if earlier:
            row["referrer"] = pick(earlier[: max(8, len(earlier) // 6)], row["prospect_id"], "referrer")["prospect_id"]

    # Duplicates: other leads of the data set carrying a sampled person's identity, phone reformatted.
    targets = [row for row in rows if row["phone"] and not row["parent"] and row["do_not_call"] == "0"]
    for index in range(DUPLICATES):
        lead = spare[index]
        target = pick(targets, "duplicate", str(index))
        targets.remove(target)
        row = base_row(lead)
        pid = row["prospect_id"]
        row["first_seen_days_ago"] = str(max(3, int(target["first_seen_days_ago"]) - 1 - digest(pid, "later") % 60))
        row["tags"] = row["tags"] if row["tags"] not in ("number not provided",) else ""
        row.update(
            name=target["name"], phone=reformatted(target["phone"], pid), wechat_unionid="",
            email=ids.email(pid, "contact") if digest(pid, "has-email") % 2 else "",
            learner_name=target["learner_name"], grade=target["grade"], parent_phone="", parent="", referrer="",
            dup_of=target["prospect_id"])
        rows.append(row)

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    data = out.getvalue().encode("utf-8")
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "wb") as handle:
        handle.write(data)
    print(f"{len(rows)} rows ({len(rows) - DUPLICATES} leads, {DUPLICATES} duplicates), {len(data):,} bytes -> {os.path.relpath(args.output)}", file=sys.stderr)


if __name__ == "__main__":
    main()
