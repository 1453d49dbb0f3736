#!/usr/bin/env python3
"""Writes a deterministic customer CSV for benchmarks: scripts/bench-data.py ROWS OWNERS > customers.csv

Columns: external_id, name, phone, email, company, source, tags, owner. Phones are valid CN mobile
numbers; about 1 % of rows repeat an earlier row's phone in another format (a duplicate the import
must merge); about half the rows have an email. Owners are rep0@bench.test … rep{OWNERS-1}@bench.test.
No randomness without a seed: the same arguments give the same bytes.
"""
import random
import sys

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
owners = int(sys.argv[2]) if len(sys.argv) > 2 else 20
rng = random.Random(20261129)
surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
given = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥玲芬燕彬鑫宇浩然子涵欣怡梓轩雨桐"
english = ["Alice", "Bob", "Carol", "David", "Emma", "Frank", "Grace", "Henry", "Ivy", "Jack", "Kate", "Leo", "Mia", "Noah"]
lasts = ["Smith", "Chen", "Wang", "Brown", "Li", "Taylor", "Zhang", "Lee", "Liu", "Walker"]
prefixes = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "158", "159", "186", "187", "188", "189"]
sources = ["web_form", "referral", "wechat", "douyin", "baidu", "event", "cold_call", "partner"]
companies = ["", "", "", "星河教育", "Acme Trading", "蓝海科技", "Northwind", "华东制造", "Globex", "悦学网络"]
tagset = ["vip", "math", "english", "trial", "parent", "renewal", "webinar", "price_sensitive"]

out = sys.stdout
out.write("external_id,name,phone,email,company,source,tags,owner\n")
phones = []
for index in range(rows):
    if index > 100 and rng.random() < 0.01:
        earlier = phones[rng.randrange(len(phones))]
        phone = f"+86 {earlier[:3]} {earlier[3:7]} {earlier[7:]}"
    else:
        phone = rng.choice(prefixes) + f"{index:08d}"
        phones.append(phone)
    if rng.random() < 0.8:
        name = rng.choice(surnames) + rng.choice(given) + (rng.choice(given) if rng.random() < 0.6 else "")
    else:
        name = f"{rng.choice(english)} {rng.choice(lasts)}"
    email = f"user{index}@example.com" if rng.random() < 0.5 else ""
    tags = ";".join(sorted(set(rng.sample(tagset, rng.randrange(0, 3)))))
    company = rng.choice(companies)
    if "," in company:
        company = '"' + company + '"'
    out.write(f"B{index:07d},{name},{phone},{email},{company},{rng.choice(sources)},{tags},rep{index % owners}@bench.test\n")
