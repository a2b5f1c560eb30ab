"""A deterministic demo region: three Amsterdam partnerships, their schools, trainers, mentors,
trainings and three school years of sessions, plus one demo account per role.

`flask --app wsgi seed-demo` loads it. Everything is drawn from `random.Random(DEMO_SEED)` in a
fixed order, so a fresh database gets the same names, dates and id order on every run.

Dates are anchored on a fixed reference, not on the clock: the demo always covers the school years
2024-2025, 2025-2026 and 2026-2027 (`DEMO_SCHOOL_YEARS`), and "now" in the story is
`DEMO_REFERENCE_DATE` (22 November 2026), so the demo trainer has sessions both before and after
that date. The data are fictitious; any likeness to real boards or schools is coincidental.

Gaps left on purpose, so that the screens have something to show:
- three trainings serve no safeguard (one per partnership);
- in the first partnership no active training serves safeguard "OR" (Organisatie): the only
  training that did, the old mentor training, is inactive;
- two trainings are inactive (sessions only in the earlier school years).
- the mentor register (kwaliteit.certification.demo) has mentors in every stage of the path,
  expired and expiring certificates, mentors guiding a student without a basic training, and the
  latest past session of each partnership with attendance but no certificates issued yet.
"""
from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from kwaliteit.accounts.models import Role
from kwaliteit.accounts.services import create_user
from kwaliteit.framework.services import current_safeguards, load_framework
from kwaliteit.registry.models import (
    Organisation,
    OrganisationKind,
    Partnership,
    Person,
    PersonRole,
    PersonRoleLink,
)
from kwaliteit.trainings.models import (
    Training,
    TrainingForm,
    TrainingKind,
    TrainingSafeguard,
    TrainingSession,
)

DEMO_SEED = 20261122
DEMO_REFERENCE_DATE = date(2026, 11, 22)
# Start years of the school years covered (a school year runs 1 August - 31 July).
DEMO_SCHOOL_YEARS = (2024, 2025, 2026)
DEMO_DOMAIN = "demo.kwaliteit.nl"
TOTAL_MENTORS = 600

P_NOORD = "Partnerschap Opleiden in de School Amsterdam-Noord"
P_ZUIDOOST = "Partnerschap Samen Opleiden Amsterdam-Zuidoost"
P_WEST = "Partnerschap Samen Opleiden Amsterdam West en Nieuw-West"

DEMO_TRAINER_NAME = "Sanne Vermeulen"

# (email, role, password, partnership name or None for all partnerships)
DEMO_ACCOUNTS: list[tuple[str, Role, str, str | None]] = [
    (f"beheerder@{DEMO_DOMAIN}", Role.ADMIN, "demo-beheerder", None),
    (f"coordinator@{DEMO_DOMAIN}", Role.COORDINATOR, "demo-coordinator", P_NOORD),
    (f"trainer@{DEMO_DOMAIN}", Role.TRAINER, "demo-trainer", P_NOORD),
    (f"stuurgroep@{DEMO_DOMAIN}", Role.STEERING, "demo-stuurgroep", P_NOORD),
]
_ACCOUNT_NAMES = {
    Role.ADMIN: "Demo Beheerder",
    Role.COORDINATOR: "Esther van Dijk",
    Role.TRAINER: DEMO_TRAINER_NAME,
    Role.STEERING: "Hans Koster",
}
DEMO_TRAINER_EMAIL = DEMO_ACCOUNTS[2][0]


# --------------------------------------------------------------------------- the region


@dataclass(frozen=True)
class _PartnershipSpec:
    name: str
    institute: str
    boards: tuple[tuple[str, str], ...]  # (board name, school name prefix)
    schools: int
    school_educators: int
    institute_educators: int
    trainings: tuple[tuple[str, bool], ...]  # (training key, active)
    # Safeguard codes that no active training of this partnership serves (a deliberate gap).
    uncovered: frozenset[str] = field(default_factory=frozenset)


PARTNERSHIPS: tuple[_PartnershipSpec, ...] = (
    _PartnershipSpec(
        name=P_NOORD,
        institute="Pabo Hogeschool IJstad",
        boards=(
            ("Stichting Openbaar Onderwijs Amsterdam-Noord", "OBS"),
            ("Stichting Christelijk Onderwijs IJ-oevers", "CBS"),
            ("Stichting Katholiek Onderwijs Waterland", "KBS"),
        ),
        schools=11,
        school_educators=9,
        institute_educators=5,
        trainings=(
            ("basis", True), ("feedback", True), ("opfris", True), ("ttt", True),
            ("startend", True), ("beoordelen", True), ("coachend", True), ("ttt-intervisie", True),
            ("kennismaking", True), ("oude-opzet", False),
        ),
        uncovered=frozenset({"OR"}),
    ),
    _PartnershipSpec(
        name=P_ZUIDOOST,
        institute="Pabo Amstel Hogeschool",
        boards=(
            ("Stichting Openbaar Primair Onderwijs Zuidoost", "OBS"),
            ("Stichting Kindcentra Gaasperdam", "IKC"),
        ),
        schools=9,
        school_educators=8,
        institute_educators=4,
        trainings=(
            ("basis", True), ("feedback", True), ("opfris", True), ("ttt", True),
            ("startend", True), ("kwaliteitskader", True), ("online-basis", True),
            ("stagebeoordeling", True), ("video", True),
        ),
    ),
    _PartnershipSpec(
        name=P_WEST,
        institute="Pabo Hogeschool Amsterdam-West",
        boards=(
            ("Stichting Openbaar Onderwijs Westpoort", "OBS"),
            ("Stichting Katholiek Primair Onderwijs Sloterplas", "KBS"),
            ("Vereniging Christelijke Scholen Nieuw-West", "CBS"),
        ),
        schools=12,
        school_educators=9,
        institute_educators=5,
        trainings=(
            ("basis", True), ("feedback", True), ("opfris", True), ("ttt", True),
            ("beoordelen", True), ("coachend", True), ("schoolopleiders", True),
            ("onderzoekend", True), ("ttt-intervisie", True), ("netwerk", True),
            ("online-basis", False),
        ),
    ),
)

SCHOOL_NAMES = (
    "De Regenboog", "De Kolibrie", "Het Vogelnest", "De Fontein", "De Zonnewijzer", "Het Kompas",
    "De Springplank", "De Wilgenhoek", "De Boomgaard", "Het Palet", "De Vuurtoren", "De Ark",
    "De Klimop", "De Windroos", "Het Spectrum", "De Meander", "De Notenkraker", "De Odyssee",
    "De Poolster", "De Sterrenkijker", "De Waterlelie", "De Linde", "De Octopus", "De Schakel",
    "De Zeester", "De Kameleon", "De Horizon", "De Bijenkorf", "Het Startblok", "De Globe",
    "De Piramide", "De Eenhoorn", "De Toverfluit", "De Watertoren", "De Zevensprong",
    "Het Klaverblad", "De Magneet", "De Tweemaster", "De Wereldburger", "De Knotwilg",
    "De Sleutelbloem", "Het Zonnehuis", "De Dolfijn", "Het Avontuur", "De Vlinderboom",
)

FIRST_NAMES = (
    "Anne", "Bram", "Daan", "Emma", "Femke", "Floor", "Jeroen", "Joost", "Julia", "Karin", "Lars",
    "Lieke", "Lisa", "Maarten", "Marieke", "Mark", "Martijn", "Mirjam", "Noor", "Nina", "Pieter",
    "Roos", "Ruben", "Sarah", "Sophie", "Thijs", "Tim", "Wouter", "Yvonne", "Esther", "Ilse",
    "Inge", "Jasper", "Koen", "Linda", "Marloes", "Niels", "Petra", "Rik", "Saskia", "Stefan",
    "Tom", "Vera", "Willem", "Fatima", "Mohamed", "Yasmina", "Khadija", "Youssef", "Samira",
    "Hatice", "Mehmet", "Anouk", "Eline", "Hanneke", "Bas", "Gijs", "Lotte", "Merel", "Naomi",
    "Priya", "Sevda", "Kevin", "Dewi", "Rachid", "Zoë", "Chloë", "Bart", "Ingrid", "Hester",
)

LAST_NAMES = (
    "de Vries", "Jansen", "de Jong", "Bakker", "van den Berg", "Visser", "Smit", "Meijer",
    "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker",
    "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "van der Linden", "Kok",
    "Jacobs", "de Haan", "van den Heuvel", "van der Veen", "van den Broek", "de Bruijn",
    "van der Heijden", "Schouten", "van Beek", "Willems", "van Vliet", "van de Ven", "Hoekstra",
    "Maas", "Verhoeven", "van Dam", "van der Wal", "Prins", "Blom", "Huisman", "Kuipers",
    "van Wijk", "Postma", "Kramer", "El Amrani", "Yılmaz", "Bouzid", "Kaya", "Ramdin",
    "Sewnarain", "Tahiri", "Demir", "Boateng", "Martens", "Veenstra", "Timmermans", "Groen",
    "Koning", "Wolters", "Scholten", "Çelik", "Ait Hamou", "Pinas", "Lont", "Zwart",
)


# --------------------------------------------------------------------------- the trainings


@dataclass(frozen=True)
class _TrainingSpec:
    title: str
    kind: TrainingKind
    form: TrainingForm
    hours: str
    description: str
    rationales: dict[str, str]  # safeguard code -> why this training serves it


TRAININGS: dict[str, _TrainingSpec] = {
    "basis": _TrainingSpec(
        "Basistraining mentoren", TrainingKind.BASIC, TrainingForm.PHYSICAL, "12",
        "Vier bijeenkomsten voor nieuwe mentoren (werkplekbegeleiders): de rol van de mentor in het "
        "partnerschap, begeleidingsgesprekken voeren, observeren en feedback geven, en het "
        "beoordelen van de student aan de hand van de gezamenlijke beoordelingsformulieren.",
        {
            "LL": "Mentoren leren de ontwikkeling van de aankomend leraar te volgen en af te stemmen "
                  "op de bekwaamheidseisen.",
            "LO": "Geschoolde mentoren zijn de basis van een veilige en rijke leeromgeving op de "
                  "opleidingsschool.",
        },
    ),
    "feedback": _TrainingSpec(
        "Verdiepingstraining feedback geven", TrainingKind.ADVANCED, TrainingForm.BLENDED, "8",
        "Voor ervaren mentoren: feedback en feedforward geven op lesvoorbereiding en lesuitvoering, "
        "met video-opnames uit de eigen klas en een online module tussen de bijeenkomsten.",
        {
            "LO": "Verdiept de begeleidingsvaardigheden van mentoren op de werkplek.",
            "KC": "Mentoren oefenen met elkaar en met de instituutsopleider een lerende, open "
                  "feedbackcultuur.",
        },
    ),
    "opfris": _TrainingSpec(
        "Opfrisbijeenkomst begeleidingsgesprekken", TrainingKind.REFRESHER, TrainingForm.PHYSICAL, "3",
        "Jaarlijkse bijeenkomst voor gecertificeerde mentoren om hun gesprekstechnieken op te "
        "frissen en nieuwe afspraken in het partnerschap te bespreken.",
        {
            "LO": "Mentoren houden hun begeleidingsbekwaamheid bij, zoals het kader vraagt.",
        },
    ),
    "ttt": _TrainingSpec(
        "Train-de-trainer mentortraining", TrainingKind.TRAIN_THE_TRAINER, TrainingForm.BLENDED, "24",
        "Opleidingstraject voor school- en instituutsopleiders die zelf de mentortrainingen gaan "
        "geven: didactiek van de training, het draaiboek, en kwaliteitsbewaking via de evaluaties.",
        {
            "LO": "Trainers van mentoren zijn zelf geschoold en gekwalificeerd.",
            "KC": "Trainers leren de evaluaties te gebruiken om de trainingen te verbeteren.",
            "OR": "Legt vast wie de mentortrainingen in het partnerschap mag geven.",
        },
    ),
    "startend": _TrainingSpec(
        "Basistraining begeleiden van startende leraren", TrainingKind.BASIC, TrainingForm.PHYSICAL,
        "10",
        "Voor begeleiders van startende leraren in de inductiefase: het inductieprogramma van het "
        "partnerschap, coachende gesprekken en het signaleren van uitval.",
        {
            "LL": "Ondersteunt de doorlopende ontwikkeling van startende leraren na het diploma.",
            "OR": "Maakt de taken van de schoolbegeleider in het inductieprogramma duidelijk.",
        },
    ),
    "beoordelen": _TrainingSpec(
        "Verdiepingstraining beoordelen en assessment", TrainingKind.ADVANCED, TrainingForm.PHYSICAL,
        "9",
        "Kalibreren van beoordelingen: mentoren en opleiders beoordelen samen lesopnames en "
        "portfolio's en bespreken de verschillen.",
        {
            "LL": "Zorgt dat de ontwikkeling van studenten volgens gedeelde afspraken wordt beoordeeld.",
            "KC": "Gezamenlijk kalibreren maakt de beoordelingskwaliteit zichtbaar en bespreekbaar.",
        },
    ),
    "coachend": _TrainingSpec(
        "Verdiepingstraining coachend begeleiden", TrainingKind.ADVANCED, TrainingForm.PHYSICAL, "10",
        "Coachingsvaardigheden voor mentoren: doorvragen, reflectie uitlokken en de student "
        "eigenaar maken van het eigen leerproces.",
        {
            "LL": "Versterkt het reflectief vermogen van de aankomend leraar.",
            "LO": "Verbetert de kwaliteit van de begeleiding op de werkplek.",
        },
    ),
    "kwaliteitskader": _TrainingSpec(
        "Opfrisbijeenkomst kwaliteitskader en werkplekleren", TrainingKind.REFRESHER,
        TrainingForm.ONLINE, "2",
        "Online sessie over het Landelijk Kwaliteitskader Samen Opleiden & Inductie en wat het "
        "betekent voor het werkplekleren op de eigen school.",
        {
            "OR": "Maakt de afspraken over taken en verantwoordelijkheden in het partnerschap bekend.",
            "KC": "Betrekt mentoren bij de kwaliteitszorg van het partnerschap.",
        },
    ),
    "online-basis": _TrainingSpec(
        "Online basismodule mentorschap", TrainingKind.BASIC, TrainingForm.ONLINE, "6",
        "Zelfstudiemodule met drie online bijeenkomsten voor mentoren die de fysieke basistraining "
        "niet kunnen volgen.",
        {
            "LO": "Biedt mentoren een basisscholing voor hun begeleidingstaak.",
        },
    ),
    "schoolopleiders": _TrainingSpec(
        "Verdiepingstraining opleiden in de school voor schoolopleiders", TrainingKind.ADVANCED,
        TrainingForm.BLENDED, "16",
        "Voor schoolopleiders: het opleidingsplan van de school, de samenwerking met het instituut "
        "en het coördineren van de mentoren.",
        {
            "OR": "Schoolopleiders leren de opleidingstaken op hun school te organiseren.",
            "LO": "Versterkt de afstemming van de begeleiding tussen school en instituut.",
        },
    ),
    "stagebeoordeling": _TrainingSpec(
        "Opfrisbijeenkomst oordeelsvorming stagebeoordeling", TrainingKind.REFRESHER,
        TrainingForm.ONLINE, "2",
        "Korte online opfrisser over de beoordelingscriteria van de stages en de rol van de mentor "
        "in het eindoordeel.",
        {
            "LL": "Houdt de beoordeling van studenten in lijn met de bekwaamheidseisen.",
        },
    ),
    "ttt-intervisie": _TrainingSpec(
        "Train-de-trainer intervisie en supervisie", TrainingKind.TRAIN_THE_TRAINER,
        TrainingForm.PHYSICAL, "12",
        "Trainers van mentortrainingen leren intervisie te begeleiden en bespreken casuïstiek uit "
        "hun eigen trainingen.",
        {
            "KC": "Trainers reflecteren samen op hun trainingen en verbeteren ze.",
            "LO": "Houdt de kwaliteit van de trainers van mentoren op peil.",
        },
    ),
    "onderzoekend": _TrainingSpec(
        "Verdiepingstraining onderzoekend begeleiden", TrainingKind.ADVANCED, TrainingForm.BLENDED,
        "8",
        "Mentoren begeleiden studenten bij praktijkonderzoek op school, van onderzoeksvraag tot "
        "presentatie aan het team.",
        {
            "LL": "Ondersteunt de onderzoekende houding van de aankomend leraar.",
            "KC": "Verbindt praktijkonderzoek aan de schoolontwikkeling.",
        },
    ),
    # Three trainings without a safeguard link: a gap that the coverage screens show.
    "kennismaking": _TrainingSpec(
        "Kennismakingsbijeenkomst nieuwe mentoren", TrainingKind.BASIC, TrainingForm.PHYSICAL, "2",
        "Informele start van het schooljaar voor nieuwe mentoren: kennismaken met de "
        "instituutsopleiders en de jaarplanning.",
        {},
    ),
    "video": _TrainingSpec(
        "Workshop video-interactiebegeleiding", TrainingKind.ADVANCED, TrainingForm.PHYSICAL, "4",
        "Praktische workshop over het gebruik van video bij het begeleiden van studenten.",
        {},
    ),
    "netwerk": _TrainingSpec(
        "Netwerkbijeenkomst mentoren", TrainingKind.REFRESHER, TrainingForm.ONLINE, "2",
        "Online netwerkbijeenkomst waarin mentoren van verschillende scholen ervaringen uitwisselen.",
        {},
    ),
    # Discontinued after 2024-2025; the only training of its partnership that served "OR".
    "oude-opzet": _TrainingSpec(
        "Mentortraining (oude opzet)", TrainingKind.BASIC, TrainingForm.PHYSICAL, "15",
        "De mentortraining zoals die tot en met schooljaar 2024-2025 werd gegeven; vervangen door "
        "de basistraining mentoren.",
        {
            "LO": "Schoolde mentoren voor hun begeleidingstaak.",
            "OR": "Behandelde de taakverdeling tussen school en instituut in het partnerschap.",
        },
    ),
}

# Trainings the demo trainer gives in the first partnership (always on every session).
_DEMO_TRAINER_TRAININGS = ("basis", "feedback")


# --------------------------------------------------------------------------- helpers


def _slug(text: str, sep: str = "") -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", sep, ascii_text.lower()).strip(sep)


def _weekday_between(rng: random.Random, first: date, last: date) -> date:
    """A random weekday in [first, last], outside the Christmas holiday."""
    span = (last - first).days
    while True:
        d = first + timedelta(days=rng.randint(0, span))
        christmas = (d.month == 12 and d.day >= 21) or (d.month == 1 and d.day <= 4)
        if d.weekday() < 5 and not christmas:
            return d


def _session_dates(rng: random.Random, start_year: int, n: int) -> list[date]:
    """n dates spread over the teaching weeks (September - June) of a school year."""
    first, last = date(start_year, 9, 1), date(start_year + 1, 6, 30)
    step = ((last - first).days + 1) // n
    return [
        _weekday_between(rng, first + timedelta(days=i * step),
                         first + timedelta(days=(i + 1) * step - 1))
        for i in range(n)
    ]


_START_TIMES = {
    TrainingForm.PHYSICAL: (time(15, 30), time(15, 30), time(9, 0), time(13, 30)),
    TrainingForm.BLENDED: (time(15, 30), time(9, 0)),
    TrainingForm.ONLINE: (time(16, 0), time(19, 30)),
}


class _Names:
    """Unique full names and e-mail addresses, drawn from the name lists."""

    def __init__(self, rng: random.Random, reserved: set[str]):
        self.rng = rng
        self.used_names = set(reserved)
        self.used_emails: set[str] = set()

    def name(self) -> str:
        while True:
            full = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
            if full not in self.used_names:
                self.used_names.add(full)
                return full

    def email(self, full_name: str, domain: str) -> str:
        first, _, last = full_name.partition(" ")
        base = f"{_slug(first)}.{_slug(last)}"
        email, n = f"{base}@{domain}", 1
        while email in self.used_emails:
            n += 1
            email = f"{base}{n}@{domain}"
        self.used_emails.add(email)
        return email


def _person(name: str, email: str, org: Organisation, role: PersonRole) -> Person:
    return Person(name=name, email=email, organisation=org, role_links=[PersonRoleLink(role=role)])


# --------------------------------------------------------------------------- seeding


def seed_demo(db: Session, today: date | None = None) -> bool:
    """Load the demo region and the demo accounts; False (and no change) when already loaded.

    `today` is accepted like every service's, but the demo does not depend on it: it is anchored
    on DEMO_REFERENCE_DATE and DEMO_SCHOOL_YEARS so that every run yields the same rows.
    """
    del today  # deliberately unused; see the docstring
    load_framework(db)
    if db.scalar(select(Partnership.id).where(Partnership.name == PARTNERSHIPS[0].name)) is not None:
        return False

    rng = random.Random(DEMO_SEED)
    safeguards = {sg.code: sg for sg in current_safeguards(db)}
    names = _Names(rng, reserved={DEMO_TRAINER_NAME, *_ACCOUNT_NAMES.values()})
    school_names = list(SCHOOL_NAMES)
    rng.shuffle(school_names)

    # 1. Partnerships, boards, institutes and schools.
    regions = []
    for spec in PARTNERSHIPS:
        p = Partnership(name=spec.name)
        boards = [
            (Organisation(partnership=p, kind=OrganisationKind.BOARD, name=bname), prefix)
            for bname, prefix in spec.boards
        ]
        institute = Organisation(partnership=p, kind=OrganisationKind.INSTITUTE, name=spec.institute)
        schools = []
        for i in range(spec.schools):
            board, prefix = boards[i % len(boards)] if i < len(boards) else rng.choice(boards)
            schools.append(
                Organisation(
                    partnership=p, kind=OrganisationKind.SCHOOL, parent=board,
                    name=f"{prefix} {school_names.pop()}",
                )
            )
        db.add(p)
        db.add_all([b for b, _ in boards] + [institute])
        regions.append((spec, p, [b for b, _ in boards], institute, schools))
    db.flush()
    db.add_all(s for *_, schools in regions for s in schools)
    db.flush()

    # 2. Trainers and mentors.
    demo_trainer = None
    educators = []  # per partnership: (school educators, institute educators)
    people: list[Person] = []
    for n_region, (spec, _p, _boards, institute, schools) in enumerate(regions):
        school_eds, inst_eds = [], []
        for i in range(spec.school_educators):
            school = schools[i % len(schools)]
            if n_region == 0 and i == 0:
                demo_trainer = _person(
                    DEMO_TRAINER_NAME, DEMO_TRAINER_EMAIL, school, PersonRole.SCHOOL_EDUCATOR
                )
                school_eds.append(demo_trainer)
                continue
            name = names.name()
            school_eds.append(
                _person(name, names.email(name, f"{_slug(school.name, '-')}.example"), school,
                        PersonRole.SCHOOL_EDUCATOR)
            )
        for _ in range(spec.institute_educators):
            name = names.name()
            inst_eds.append(
                _person(name, names.email(name, f"{_slug(institute.name, '-')}.example"),
                        institute, PersonRole.INSTITUTE_EDUCATOR)
            )
        educators.append((school_eds, inst_eds))
        people += school_eds + inst_eds

    all_schools = [s for *_, schools in regions for s in schools]
    # Every school gets at least ten mentors; the rest go to schools by a random "size".
    sizes = [rng.uniform(0.5, 1.5) for _ in all_schools]
    per_school = [10] * len(all_schools)
    for i in rng.choices(range(len(all_schools)), weights=sizes, k=TOTAL_MENTORS - 10 * len(all_schools)):
        per_school[i] += 1
    for school, n in zip(all_schools, per_school, strict=True):
        domain = f"{_slug(school.name, '-')}.example"
        for _ in range(n):
            name = names.name()
            people.append(_person(name, names.email(name, domain), school, PersonRole.MENTOR))
    db.add_all(people)
    db.flush()

    # 3. Trainings, safeguard links and sessions.
    objects: list = []
    for n_region, (spec, p, region_boards, institute, schools) in enumerate(regions):
        school_eds, inst_eds = educators[n_region]
        for key, active in spec.trainings:
            t_spec = TRAININGS[key]
            training = Training(
                partnership=p, title=t_spec.title, kind=t_spec.kind, form=t_spec.form,
                contact_hours=Decimal(t_spec.hours), description=t_spec.description, active=active,
            )
            is_ttt = t_spec.kind is TrainingKind.TRAIN_THE_TRAINER
            training.organisations = (
                [institute] if is_ttt or rng.random() < 0.3 else [institute, rng.choice(region_boards)]
            )
            training.safeguard_links = [
                TrainingSafeguard(safeguard=safeguards[code], rationale=why)
                for code, why in t_spec.rationales.items()
                if code in safeguards and not (active and code in spec.uncovered)
            ]
            objects.append(training)

            # The team: a school-based lead with an institute-based partner, or the other way.
            if n_region == 0 and key in _DEMO_TRAINER_TRAININGS:
                lead, partner = demo_trainer, rng.choice(inst_eds)
            elif is_ttt:
                lead, partner = rng.sample(inst_eds, 2)
            elif rng.random() < 0.5:
                lead, partner = rng.choice(school_eds[1:]), rng.choice(inst_eds)
            else:
                lead, partner = rng.choice(inst_eds), rng.choice(school_eds[1:])

            if key == "oude-opzet":
                years: tuple[int, ...] = DEMO_SCHOOL_YEARS[:1]
            elif not active:
                years = DEMO_SCHOOL_YEARS[:2]
            else:
                years = DEMO_SCHOOL_YEARS
            for year in years:
                if n_region == 0 and key == "basis":
                    n = 4  # spread over the year: the demo trainer has past and upcoming sessions
                elif is_ttt:
                    n = rng.randint(1, 2)
                else:
                    n = rng.randint(1, 4)
                for day in _session_dates(rng, year, n):
                    if t_spec.form is TrainingForm.ONLINE:
                        location = "Online (Microsoft Teams)"
                    elif is_ttt or rng.random() < 0.3:
                        location = institute.name
                    else:
                        location = rng.choice(schools).name
                    objects.append(
                        TrainingSession(
                            training=training,
                            date=day,
                            start_time=rng.choice(_START_TIMES[t_spec.form]),
                            location=location,
                            participant_count=rng.randint(6, 12 if is_ttt else 20),
                            trainers=[lead, partner] if rng.random() < 0.6 else [lead],
                        )
                    )
    db.add_all(objects)
    db.flush()

    # 4. The evaluations those sessions collected (default questionnaires).
    from evaluaties.demo import seed_demo_evaluations
    from evaluaties.questionnaires.services import load_default_questionnaires

    load_default_questionnaires(db)
    seed_demo_evaluations(db, DEMO_REFERENCE_DATE)

    # 4b. The mentor register: certificates, attendance, mentorships (with cases that need action).
    from kwaliteit.certification.demo import seed_demo_register

    seed_demo_register(db, DEMO_REFERENCE_DATE, DEMO_SEED)

    # 5. One account per role.
    for email, role, password, partnership in DEMO_ACCOUNTS:
        create_user(
            db, email, role, password, name=_ACCOUNT_NAMES[role],
            partnership_names=[partnership] if partnership else [],
        )
    return True
