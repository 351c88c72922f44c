"""Measure `redress check` on a big shop: 100,000 reviews with 30,000 shop responses.

Why: the checker compares every answer with every other for ``canned``, and
every build runs it for its one line ("Responses: 3 need a look"). Done
pair by pair that is 450 million comparisons at 30,000 answers; the desk
uses shingles and MinHash instead (``desk/canned.py``). This puts a number
on the target: **checked in under 10 s** on this machine.

It writes a synthetic shop with a seeded RNG (ratings J-shaped, English,
Dutch, Estonian and some German reviews; answers personal, defensive,
apologetic, with placeholders, and about a quarter pasted from a handful
of templates with the name changed), then measures:

* ``load``: reading the shop through ``load_shop`` (cold: every file parsed);
* ``check``: :func:`redress.desk.check.check` on the loaded shop, in process;
* ``command``: ``redress check --format json`` as the owner runs it, in a
  subprocess, with the reader's cache warm from a build.

The run fails (exit 2) unless the command's JSON says it checked every
review and all N responses, and found the planted canned groups: a fast
checker that skipped work would otherwise look good. It exits 0 even when
the time target is missed, unless --check is given.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "tests"))
import sites  # noqa: E402 - the tests' site helpers: one copy of a test site's settings

TARGET_S = 10.0
NOW = dt.datetime(2026, 9, 1, 12, 0)

NAMES = (
    "Jan Sanne Ricardo Marieke Tom Priya Anouk Daan Eva Lars Fatima Pieter Noor Kees Emma Bram Lotte "
    "Ahmed Julia Sven Mila Joost Hanna Wouter Lisa Ravi Ingrid Thijs Sara Olaf Kadri Mari Jaan Kristjan "
    "Liis Tõnu Annika Rasmus Kertu Siim Grete Margus"
).split()
TOPICS = {
    "en": "grinder kettle parcel courier beans roast filter dripper scale tamper jug descaler box lid handle "
    "burr motor pump gasket label invoice refund voucher warranty manual spout cable plug".split(),
    "nl": "molen waterkoker pakket bezorger bonen branding filter dripper weegschaal tamper melkkan "
    "ontkalker doos deksel handvat maalschijf motor pomp rubber etiket factuur tegoedbon garantie "
    "handleiding tuit snoer stekker".split(),
    "et": "veskit veekeetja pakk kuller oad röstimine filter tilguti kaal tamper piimakann katlakivi karp "
    "kaas käepide motor pump tihend silt arve kinkekaart garantii juhend tila juhe pistik".split(),
}
COMPLAINTS = {
    "en": (
        "The {a} arrived broken and the {b} was missing.",
        "My {a} stopped working after two weeks, the {b} makes a grinding noise.",
        "Waited ten days for the {a}; the {b} never came.",
        "Wrong {a} in the box and nobody answered my mail about the {b}.",
    ),
    "nl": (
        "De {a} kwam kapot aan en de {b} ontbrak.",
        "Mijn {a} werkt na twee weken niet meer, de {b} maakt een raar geluid.",
        "Tien dagen gewacht op de {a}; de {b} kwam nooit.",
        "Verkeerde {a} in de doos en niemand reageerde op mijn mail over de {b}.",
    ),
    "et": (
        "{A} saabus katkisena ja {b} puudus.",
        "Minu {a} lakkas kahe nädala pärast töötamast, {b} teeb imelikku häält.",
        "Ootasin kümme päeva, {a} ei jõudnudki kohale ja {b} samuti mitte.",
        "Karbis oli vale {a} ja keegi ei vastanud mu kirjale {b} kohta.",
    ),
    "de": ("Der {a} kam kaputt an und der {b} fehlte.", "Nach zwei Wochen ging der {a} nicht mehr."),
}
PRAISE = {
    "en": "Lovely {a}, fast delivery and the {b} works perfectly.",
    "nl": "Mooie {a}, snelle levering en de {b} werkt perfect.",
    "et": "Väga kena {a}, kiire tarne ja {b} töötab suurepäraselt.",
    "de": "Schöner {a}, schnelle Lieferung, der {b} funktioniert.",
}
ANSWERS = {
    "en": (
        "Hi {name}, I'm sorry about the {a}. We've sent a new {b} this morning; let me know when it arrives.",
        "{name}, thank you for telling us about the {a}. "
        "You should have read the manual before using the {b}.",
        "Dear {name}, our apologies: the {a} left our shop with a faulty {b}. "
        "A refund is on its way. [[detail]]",
        "Thanks {name}! Glad the {a} suits you, and enjoy the {b}.",
    ),
    "nl": (
        "Hoi {name}, sorry voor de {a}. We hebben vanochtend een nieuwe {b} verstuurd.",
        "{name}, dat klopt niet: de {a} was heel toen hij de deur uitging en de {b} ook.",
        "Beste {name}, excuses, de {a} had nooit zo mogen vertrekken. Het geld voor de {b} is teruggestort.",
        "Dank je {name}! Fijn dat de {a} bevalt, veel plezier met de {b}.",
    ),
    "et": (
        "Tere, {name}! Vabandame {a} pärast. Saatsime täna uue {b}.",
        "{name}, see ei vasta tõele: {a} oli korras ja {b} samuti.",
        "Hea {name}, meil on väga kahju, {a} ei oleks tohtinud nii minna. Raha {b} eest on tagastatud.",
        "Aitäh, {name}! Tore, et {a} meeldib, head kasutamist {b} jaoks.",
    ),
    "de": ("Danke {name}, wir schicken einen neuen {a}.",),
}
#: Pasted answers: the same words under many reviews, only the name changed.
TEMPLATES = (
    "Dear {name}, thank you for your feedback. We are sorry to hear about your experience and we "
    "will look into it. Please contact our customer service so we can find a solution together.",
    "Beste {name}, bedankt voor uw beoordeling. Wij vinden het vervelend dat u niet tevreden bent en "
    "nemen contact met u op om samen tot een oplossing te komen.",
    "Tere, {name}! Täname tagasiside eest. Vabandame ebamugavuste pärast ja võtame teiega peagi "
    "ühendust, et leida sobiv lahendus.",
    "Hi {name}, thanks for taking the time to review us. Your satisfaction is our top priority and "
    "we hope to welcome you back soon in our shop.",
    "Hallo {name}, hartelijk dank voor uw review! Wij waarderen uw feedback enorm en hopen u snel "
    "weer te mogen verwelkomen in onze webwinkel.",
)


def write_shop(content: Path, reviews: int, responses: int, seed: int = 12) -> dict[str, int]:
    """Write the shop's files; returns what was planted (for the run's own checks)."""
    rng = random.Random(seed)
    (content / "reviews").mkdir(parents=True)
    (content / "responses").mkdir(parents=True)
    answered = set(rng.sample(range(reviews), responses))
    planted = {"canned": 0, "reviews": reviews, "responses": responses}
    start = NOW - dt.timedelta(days=3 * 365)
    for i in range(reviews):
        lang = rng.choices(("en", "nl", "et", "de"), (35, 40, 20, 5))[0]
        rating = rng.choices((1, 2, 3, 4, 5), (13, 7, 7, 18, 55))[0]
        topics = TOPICS.get(lang, TOPICS["en"])
        a, b = rng.sample(topics, 2)
        body = (rng.choice(COMPLAINTS[lang]) if rating <= 3 else PRAISE[lang]).format(
            a=a, b=b, A=a.capitalize()
        )
        name = rng.choice(NAMES)
        date = start + dt.timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
        slug = f"r{i:06d}"
        (content / "reviews" / f"{slug}.md").write_text(
            f"Date: {date:%Y-%m-%d %H:%M}\nRating: {rating}\nAuthor: {name} {rng.choice('BKSVJ')}.\n"
            f"Lang: {lang}\nEmail: {name.lower()}{i}@example.org\n\n{body}\n",
            encoding="utf-8",
        )
        if i not in answered:
            continue
        if rng.random() < 0.25:
            text = rng.choice(TEMPLATES).format(name=name)
            planted["canned"] += 1
        else:
            options = ANSWERS.get(lang, ANSWERS["en"])
            text = rng.choice(options).format(name=name, a=a, b=b)
            # Each answer also says something of its own, as real ones do.
            text += f" ({rng.choice(topics)} {rng.randrange(1000)}, {rng.choice(NAMES)} {rng.choice(topics)})"
        status = rng.choice(("", "in-progress", "resolved")) if rating <= 2 else ""
        when = date + dt.timedelta(hours=rng.randint(1, 120))
        lines = [f"Review: {slug}", f"Date: {when:%Y-%m-%d %H:%M}", "From: shop"]
        if status:
            lines.append(f"Status: {status}")
        (content / "responses" / f"{slug}-1.md").write_text(
            "\n".join(lines) + "\n\n" + text + "\n", encoding="utf-8"
        )
    return planted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--responses", type=int, default=30_000)
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    parser.add_argument("--keep", action="store_true", help="keep the generated site")
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="bench-desk-"))
    site = folder / "site"
    started = time.perf_counter()
    planted = write_shop(site / "content", args.reviews, args.responses)
    took = time.perf_counter() - started
    print(f"wrote {args.reviews} reviews and {args.responses} responses in {took:.1f} s")
    sites.write_settings(site, SITEURL="https://bench.example")

    from pelican.plugins.redress.content.shop import load_shop
    from pelican.plugins.redress.desk.check import check

    settings = sites.pelican_settings(site, SITEURL="https://bench.example")
    started = time.perf_counter()
    shop = load_shop(settings)
    load_s = time.perf_counter() - started
    started, cpu = time.perf_counter(), time.process_time()
    result = check(shop, NOW.replace(tzinfo=dt.UTC))
    check_s, check_cpu = time.perf_counter() - started, time.process_time() - cpu
    del shop

    command = [sys.executable, "-m", "pelican.plugins.redress.cli", "check", "--format", "json"]
    command += ["--now", NOW.isoformat()]
    out_path, err_path = folder / "check.json", folder / "check.err"
    started = time.perf_counter()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        process = subprocess.Popen(command, cwd=site, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(process.pid, 0)
    command_s = time.perf_counter() - started
    command_cpu = usage.ru_utime + usage.ru_stime
    if os.waitstatus_to_exitcode(status) != 0:
        print(err_path.read_text(encoding="utf-8"), file=sys.stderr)
        return 2
    summary = json.loads(out_path.read_text(encoding="utf-8"))["summary"]
    problems = []
    if summary["reviews"] != planted["reviews"]:
        problems.append(f"the command checked {summary['reviews']} reviews, not {planted['reviews']}")
    if summary["responses"] != planted["responses"]:
        problems.append(f"the command checked {summary['responses']} responses, not {planted['responses']}")
    if result.responses != planted["responses"]:
        problems.append(f"check() looked at {result.responses} responses, not {planted['responses']}")
    canned = summary["findings_by_rule"]["canned"]
    if canned < 0.95 * planted["canned"]:
        problems.append(f"only {canned} of {planted['canned']} pasted answers were found canned")
    print(f"load (cold, every file parsed): {load_s:6.1f} s")
    print(f"check() on the loaded shop:     {check_s:6.1f} s  ({check_cpu:.1f} s of CPU)")
    print(
        f"`redress check --format json`:  {command_s:6.1f} s  ({command_cpu:.1f} s of CPU; warm cache; "
        f"target < {TARGET_S:.0f} s)"
    )
    busy = os.getloadavg()[0]
    print(f"load average while measuring: {busy:.1f} on {os.cpu_count()} cores (wall times grow with it)")
    print(
        f"checked {summary['reviews']} reviews, {summary['responses']} responses; findings: "
        + ", ".join(f"{k} {v}" for k, v in summary["findings_by_rule"].items())
        + f"; not checked for language: {summary['not_checked_by_lang']}"
    )
    print(
        f"bench: desk reviews={args.reviews} responses={args.responses} load_s={load_s:.2f} "
        f"check_s={check_s:.2f} check_cpu_s={check_cpu:.2f} command_s={command_s:.2f} "
        f"command_cpu_s={command_cpu:.2f} loadavg={busy:.1f} canned={canned}/{planted['canned']}"
    )
    if not args.keep:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    else:
        print(f"site kept in {site}")
    if problems:
        for problem in problems:
            print(f"bench_desk: {problem}", file=sys.stderr)
        return 2
    return 1 if args.check and command_s >= TARGET_S else 0


if __name__ == "__main__":
    sys.exit(main())
