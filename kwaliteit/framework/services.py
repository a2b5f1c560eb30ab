from __future__ import annotations

import logging
from pathlib import Path

import yaml
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kwaliteit import limits
from kwaliteit.datafile import load_yaml
from kwaliteit.framework.models import Criterion, Framework, Safeguard
from kwaliteit.validation import characters_error

log = logging.getLogger(__name__)

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "kwaliteitskader-2021.yaml"


class FrameworkError(ValueError):
    pass


def _text(value, what: str, limit: int, *, multiline: bool = False, required: bool = True) -> str:
    """A scalar from the file as text (YAML reads `code: 1` as a number), within its limit:
    longer text or a control character is an error in the file, not a database crash."""
    if not required and value in (None, ""):
        return ""
    if isinstance(value, (dict, list)) or value is None or value == "":
        raise FrameworkError(f"{what} ontbreekt of is geen tekst.")
    text = str(value).strip()
    if message := characters_error(text, multiline=multiline):
        raise FrameworkError(f"{what}: {message}")
    if len(text) > limit:
        raise FrameworkError(f"{what} is te lang (hoogstens {limit} tekens): {text[:40]}…")
    return text


def _parse(data) -> dict:
    """Check the whole file before anything is written; codes and names become text."""
    if not isinstance(data, dict):
        raise FrameworkError("Het kaderbestand moet een YAML-object zijn.")
    for key in ("name", "version", "safeguards"):
        if not data.get(key):
            raise FrameworkError(f"Het kaderbestand mist '{key}'.")
    name = _text(data["name"], "De naam van het kader", limits.NAME)
    version = _text(data["version"], "De versie van het kader", limits.VERSION)
    if not isinstance(data["safeguards"], list):
        raise FrameworkError("'safeguards' moet een lijst van waarborgen zijn.")
    safeguards, codes = [], set()
    for i, sg in enumerate(data["safeguards"], start=1):
        if not isinstance(sg, dict) or not sg.get("code") or not sg.get("name"):
            raise FrameworkError(f"Waarborg {i} mist een code of naam.")
        code = _text(sg["code"], f"De code van waarborg {i}", limits.CODE)
        if code in codes:
            raise FrameworkError(f"Waarborgcode {code} komt twee keer voor.")
        codes.add(code)
        criteria = sg.get("criteria") or []
        if not isinstance(criteria, list):
            raise FrameworkError(f"De kenmerken van waarborg {code} moeten een lijst zijn.")
        parsed_criteria, ccodes = [], set()
        for j, c in enumerate(criteria, start=1):
            if not isinstance(c, dict) or not c.get("code") or not c.get("text"):
                raise FrameworkError(f"Kenmerk {j} van waarborg {code} mist een code of tekst.")
            ccode = _text(c["code"], f"De code van kenmerk {j} van waarborg {code}", limits.CODE)
            if ccode in ccodes:
                raise FrameworkError(f"Kenmerkcode {ccode} komt twee keer voor bij waarborg {code}.")
            ccodes.add(ccode)
            parsed_criteria.append(
                {"code": ccode, "text": _text(c["text"], f"Kenmerk {ccode}", limits.CRITERION, multiline=True)}
            )
        safeguards.append(
            {
                "code": code,
                "name": _text(sg["name"], f"De naam van waarborg {code}", limits.NAME),
                "description": _text(
                    sg.get("description"), f"De beschrijving van waarborg {code}", limits.DESCRIPTION,
                    multiline=True, required=False,
                ),
                "criteria": parsed_criteria,
            }
        )
    return {"name": name, "version": version, "safeguards": safeguards}


def load_framework(db: Session, path: Path | None = None) -> tuple[Framework, bool]:
    """Load a framework version; a version already loaded is left as it is.

    A new version becomes current, and the training links of the previous current version
    are carried over to the safeguards with the same code. The old version keeps its own
    safeguards and links, so nothing recorded against it is lost.
    """
    from kwaliteit.trainings.models import TrainingSafeguard

    try:
        data = _parse(load_yaml(path or DEFAULT_FILE))
    except yaml.YAMLError as exc:
        raise FrameworkError(f"Het kaderbestand is geen geldige YAML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise FrameworkError(f"Het kaderbestand is geen UTF-8-tekst: {exc}") from exc
    version = str(data["version"])
    existing = db.scalar(
        select(Framework).where(Framework.name == data["name"], Framework.version == version)
    )
    if existing is not None:
        return existing, False

    previous = current_framework(db)
    fw = Framework(name=data["name"], version=version, is_current=True)
    for pos, sg in enumerate(data["safeguards"]):
        safeguard = Safeguard(
            code=str(sg["code"]), name=sg["name"], description=sg.get("description") or "", position=pos
        )
        safeguard.criteria = [
            Criterion(code=str(c["code"]), text=c["text"], position=cpos)
            for cpos, c in enumerate(sg.get("criteria") or [])
        ]
        fw.safeguards.append(safeguard)
    db.execute(update(Framework).values(is_current=False))
    db.add(fw)
    db.flush()

    if previous is not None:
        new_by_code = {s.code: s.id for s in fw.safeguards}
        old_links = db.execute(
            select(TrainingSafeguard.training_id, TrainingSafeguard.rationale, Safeguard.code)
            .join(Safeguard, Safeguard.id == TrainingSafeguard.safeguard_id)
            .where(Safeguard.framework_id == previous.id)
        ).all()
        db.add_all(
            TrainingSafeguard(training_id=t, safeguard_id=new_by_code[code], rationale=r)
            for t, r, code in old_links
            if code in new_by_code
        )
        db.flush()
    log.info("Kwaliteitskader %s geladen en actueel gemaakt", fw)
    return fw, True


def current_framework(db: Session) -> Framework | None:
    return db.scalar(select(Framework).where(Framework.is_current.is_(True)))


def current_safeguards(db: Session) -> list[Safeguard]:
    return list(
        db.scalars(
            select(Safeguard)
            .join(Framework)
            .where(Framework.is_current.is_(True))
            .order_by(Safeguard.position)
        )
    )
