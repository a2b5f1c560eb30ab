"""The words of the quality framework and of the app, explained on one page (/begrippen).

Pages link a term to its explanation by its anchor (the `help_link` macro in _macros.html); the
anchors are part of this list, so a link can only point at a term that is explained here
(tests/test_everyday.py checks every help link of the templates against ANCHORS). The safeguards
themselves are not listed here: the page reads them from the current framework (data, not code).
"""
from __future__ import annotations

from dataclasses import dataclass

from evaluaties.answers.status import DEFAULT_PARTICIPANT_WINDOW_DAYS, DEFAULT_TRAINER_DUE_DAYS, SOON_DAYS
from evaluaties.results.anonymity import DEFAULT_MIN_SHOWN
from kwaliteit.certification.policy import DEFAULTS as REGISTER


@dataclass(frozen=True)
class Term:
    anchor: str
    term: str
    text: str


@dataclass(frozen=True)
class Group:
    title: str
    terms: tuple[Term, ...]


GROUPS = (
    Group("Het kwaliteitskader", (
        Term("kwaliteitskader", "Kwaliteitskader",
             "Het Landelijk Kwaliteitskader Samen Opleiden & Inductie (2020, herzien in december 2021). "
             "Het beschrijft vier waarborgen voor de kwaliteit van opleiden in de school. Bij de "
             "peer review die geaccrediteerde partnerschappen eens in de zes jaar houden, is het de maatstaf."),
        Term("waarborg", "Waarborg",
             "Een van de vier pijlers van het kwaliteitskader: Lerende leraar, Leeromgeving, Organisatie "
             "en Kwaliteitscultuur. Bij elke training leg je vast welke waarborgen ze dient en hoe "
             "(de toelichting); zo zie je welke waarborgen goed en welke nog niet gedekt zijn."),
        Term("kenmerk", "Kenmerk basiskwaliteit",
             "Een concreet kenmerk waaraan je ziet dat een waarborg op orde is. Het kwaliteitskader "
             "noemt per waarborg enkele kenmerken."),
        Term("dekking", "Dekking",
             "Een waarborg is gedekt als minstens één actieve training hem dient."),
    )),
    Group("Partnerschap en mensen", (
        Term("partnerschap", "Partnerschap",
             "Het samenwerkingsverband Samen Opleiden van schoolbesturen en lerarenopleidingen. Alle "
             "gegevens in kwaliteit horen bij één partnerschap; je ziet alleen die van je eigen partnerschap(pen)."),
        Term("bestuur", "Bestuur, school en opleidingsinstituut",
             "De organisaties in een partnerschap: een schoolbestuur met zijn scholen, en de "
             "opleidingsinstituten (pabo, lerarenopleiding)."),
        Term("schoolopleider", "Schoolopleider en instituutsopleider",
             "Opleiders die trainingen geven: de schoolopleider werkt op een school, de "
             "instituutsopleider bij een opleidingsinstituut. Samen geven ze vaak een bijeenkomst als tandem."),
        Term("mentor", "Mentor (werkplekbegeleider)",
             "De leraar die een aankomend leraar op school begeleidt; de deelnemer aan de mentortrainingen."),
        Term("coordinator", "Coördinator",
             "Beheert de trainingen, bijeenkomsten, vragenlijsten en evaluaties van zijn partnerschap."),
        Term("stuurgroep", "Stuurgroep",
             "Leest de overzichten en resultaten van het partnerschap (of van een regio) en stuurt op de kwaliteit."),
    )),
    Group("Aanbod en bijeenkomsten", (
        Term("training", "Training",
             "Een onderdeel van het aanbod, zoals een basistraining, verdiepingstraining, "
             "opfrisbijeenkomst of train-de-trainer. Een training kan veel bijeenkomsten hebben."),
        Term("soort", "Soort training",
             "Basistraining (voor nieuwe mentoren), verdiepingstraining (voor ervaren mentoren), "
             "opfrisbijeenkomst (om kennis bij te houden) of train-de-trainer (voor wie de trainingen geeft)."),
        Term("gedeactiveerd", "Gedeactiveerd",
             "Een training die niet meer wordt gegeven. Ze blijft bewaard met haar bijeenkomsten en "
             "evaluaties, maar telt niet meer mee voor de dekking van een waarborg."),
        Term("bijeenkomst", "Bijeenkomst",
             "Eén keer dat een training wordt gegeven: een datum, een tijd, een locatie, de trainers en "
             "het aantal deelnemers. Elke bijeenkomst vraagt een trainersevaluatie en een deelnemersevaluatie."),
        Term("geannuleerd", "Geannuleerd",
             "Een bijeenkomst die niet doorging. Ze blijft bewaard; er zijn geen evaluaties meer voor "
             "verschuldigd. Een annulering kan ongedaan worden gemaakt."),
        Term("kopie", "Kopie maken",
             "Een training, bijeenkomst of vragenlijst als begin van een nieuwe. Een kopie van een "
             "training neemt de waarborgen, organisaties en evaluatie-instellingen mee; een kopie van "
             "een bijeenkomst de trainers, locatie en tijd (je kiest een nieuwe datum)."),
    )),
    Group("Evaluaties", (
        Term("trainersevaluatie", "Trainersevaluatie",
             f"De evaluatie die de trainer(s) na een bijeenkomst invullen, één per bijeenkomst. Ze is "
             f"op naam: de coördinator ziet wie haar indiende. In te dienen binnen {DEFAULT_TRAINER_DUE_DAYS} "
             "dagen na de bijeenkomst, tenzij de training een andere termijn heeft."),
        Term("deelnemersevaluatie", "Deelnemersevaluatie",
             f"De anonieme vragenlijst voor de deelnemers van een bijeenkomst. Die staat open vanaf de "
             f"dag van de bijeenkomst, {DEFAULT_PARTICIPANT_WINDOW_DAYS} dagen lang tenzij de training "
             "een andere termijn heeft."),
        Term("vragenlijst", "Vragenlijst en versie",
             "De vragen van een evaluatie. Een standaardvragenlijst wordt meegeleverd en geldt voor elke "
             "training; een partnerschap kan ook eigen vragenlijsten maken (of een standaardvragenlijst "
             "kopiëren). Een gepubliceerde versie verandert nooit meer: een wijziging wordt een nieuwe versie, "
             "eerst als concept."),
        Term("persoonlijke-link", "Persoonlijke link",
             "Een link voor één deelnemer, goed voor één antwoord. Je maakt er evenveel als er deelnemers "
             "zijn en deelt ze uit (per e-mail of als QR-code op papier)."),
        Term("gedeelde-link", "Gedeelde link",
             "Eén link voor de hele groep, bijvoorbeeld op een dia, goed voor een gekozen maximum aantal "
             "antwoorden. Handig, maar iemand kan hem vaker gebruiken; een persoonlijke link niet."),
        Term("link-sluiten", "Link sluiten en heropenen",
             "Een gesloten link neemt geen antwoorden meer aan, bijvoorbeeld als hij bij de verkeerde "
             "persoon terechtkwam. Je kunt hem weer openen. Na de termijn van de deelnemersevaluatie "
             "is elke link vanzelf gesloten."),
        Term("anoniem", "Anoniem",
             "Antwoorden van deelnemers zijn niet te herleiden tot een link of een persoon: er wordt geen "
             "tijdstip en geen link bij bewaard."),
        Term("inlezen", "Antwoorden inlezen",
             "Antwoorden van deelnemers die met een ander programma zijn verzameld (een CSV- of "
             "Excel-bestand) aan een bijeenkomst toevoegen."),
        Term("vrijstellen", "Vrijstellen",
             "De coördinator besluit, met een reden, dat een evaluatie van een bijeenkomst niet hoeft, "
             "bijvoorbeeld als de bijeenkomst anders verliep. Een vrijstelling kan worden ingetrokken."),
        Term("vergrendelen", "Vergrendelen",
             "De coördinator zet een ingediende trainersevaluatie vast, zodat ze niet meer verandert "
             "(bijvoorbeeld als de kwaliteitscyclus haar gebruikt). Ontgrendelen kan."),
        Term("respons", "Respons",
             "Het deel van de deelnemers dat de vragenlijst invulde: het aantal ingevulde vragenlijsten "
             "(via links en ingelezen) gedeeld door het aantal deelnemers van de bijeenkomst. Is dat aantal "
             "niet ingevuld, dan telt het aantal persoonlijke links."),
        Term("drempel", "Drempel",
             "Om niemand herkenbaar te maken, tonen resultaten van deelnemers pas iets als een bijeenkomst "
             f"minstens zoveel antwoorden heeft als de drempel (standaard {DEFAULT_MIN_SHOWN}). "
             "Antwoorden via links en ingelezen antwoorden tellen apart. Een vraag "
             "met minder antwoorden toont alleen het aantal. Trainersevaluaties zijn op naam en hebben "
             "geen drempel."),
        Term("schooljaar", "Schooljaar",
             "Van 1 augustus tot en met 31 juli. Resultaten en trends worden per schooljaar getoond."),
    )),
    Group("Register van trainers en mentoren", (
        Term("registratie", "Registratie train-de-trainer",
             "Bewijs dat een trainer een train-de-trainertraining heeft afgerond: in kwaliteit gegeven of "
             "elders (op naam), met afronddatum, nummer en geldig-tot-datum (standaard "
             f"{REGISTER.qualification_years} jaar). Daarnaast kan een beroepsregistratie, zoals het BRLO, "
             "met een eigen geldigheid worden vastgelegd."),
        Term("bevoegd", "Bevoegd om te geven",
             "Een trainer met een registratie die op de datum van de bijeenkomst geldig is. Het "
             "registerbeleid zegt of dat voor een mentortraining geadviseerd is (de app waarschuwt) of "
             "verplicht (de app weigert de bijeenkomst)."),
        Term("certificaat", "Certificaat",
             "Bewijs dat een mentor een basistraining, verdiepingstraining of opfrisbijeenkomst volgde: "
             "uitgegeven door het bestuur, het opleidingsinstituut of beide samen, met een nummer dat "
             "uniek is in het partnerschap en een geldig-tot-datum (standaard "
             f"{REGISTER.certificate_years} jaar; het partnerschap kan ook 'geen einddatum' kiezen)."),
        Term("leerlijn", "Leerlijn van een mentor",
             "Eerst de basistraining, vóór het begeleiden van een student. Daarna elke "
             f"{REGISTER.refresh_years} jaar (standaard) een opfrisbijeenkomst of verdiepingstraining, "
             "gerekend vanaf de laatste van die trainingen. De fase (nog geen basistraining, opfrissen te "
             "laat, opfrissen binnenkort, op koers) en de volgende stap met datum volgen uit de datums."),
        Term("signaal", "Signaal",
             "Iets in het register dat aandacht vraagt: een verlopen of bijna verlopen certificaat of "
             "registratie, opfrissen te laat, een mentor die een student begeleidt zonder geldige "
             "basistraining, een trainer die dit schooljaar lesgeeft zonder registratie. 'Bijna' is "
             f"standaard binnen {REGISTER.expiring_days} dagen. Signalen worden bij elke vraag uit de "
             "datums afgeleid, nooit opgeslagen."),
        Term("registerbeleid", "Registerbeleid",
             "De afspraken van een partnerschap over geldigheid, verplichting van de registratie, "
             "opfrissen, de termijn van 'bijna verlopen' en hoe lang persoonsgegevens bewaard blijven "
             f"(standaard {REGISTER.retention_years} jaar na iemands laatste activiteit)."),
    )),
    Group("Statussen van een evaluatie", (
        Term("nog-niet-begonnen", "Nog niet begonnen", "De bijeenkomst moet nog komen."),
        Term("open", "Open", "De bijeenkomst is geweest; de evaluatie kan worden ingevuld."),
        Term("bijna-verlopen", "Bijna verlopen",
             f"Nog {SOON_DAYS} dagen of minder tot de uiterste datum (of tot de vragenlijst voor "
             "deelnemers sluit)."),
        Term("te-laat", "Te laat", "De uiterste datum van de trainersevaluatie is voorbij."),
        Term("ingediend", "Ingediend",
             "De trainersevaluatie is ingevuld. Tot ze wordt vergrendeld, kan ze nog worden gewijzigd."),
        Term("gesloten", "Gesloten", "De termijn van de deelnemersevaluatie is voorbij: er komen geen antwoorden meer bij."),
        Term("vrijgesteld", "Vrijgesteld", "De evaluatie hoeft niet (zie vrijstellen)."),
    )),
)

ANCHORS = frozenset(t.anchor for g in GROUPS for t in g.terms)
