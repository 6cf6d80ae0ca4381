"""Identifiers that look like the real ones and never collide: customer and order numbers,
ticket ids, tracking numbers with their carriers' check digits, and stored time text."""

from __future__ import annotations

import functools
import math
import random
import time
import unicodedata

from deskui.demo.tables import BASE36, DAY, UPPER36

@functools.cache
def _multiplier(modulus: int, base: int) -> int:
    """About 0.618 of the modulus and coprime to it: consecutive counters land far apart."""
    multiplier = int(modulus * 0.6180339887498949)
    while math.gcd(multiplier, base) != 1:
        multiplier += 1
    return multiplier


def scramble(number: int, digits: int) -> int:
    """A bijection on [0, 10**digits): distinct counters give distinct, random-looking ids, so a
    generated order number never collides with another (the UNIQUE constraints hold by design)."""
    modulus = 10**digits
    return (number * _multiplier(modulus, 10) + modulus // 7) % modulus


def token(number: int, width: int, alphabet: str = BASE36) -> str:
    """``width`` characters, distinct for distinct ``number`` < len(alphabet)**width."""
    base = len(alphabet)
    modulus = base**width
    value = (number * _multiplier(modulus, base)) % modulus
    chars = []
    for _ in range(width):
        value, digit = divmod(value, base)
        chars.append(alphabet[digit])
    return "".join(chars)


def ascii_name(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "").replace("'", "")


class Stamp:
    """Epoch seconds -> stored time text (what ``to_db`` writes). ``to_db`` goes through
    strftime at ~2 us a call; with three million timestamps that was a tenth of the build, so
    each day and each second of a day is formatted once and the two are joined."""

    def __init__(self) -> None:
        self._days: dict[int, str] = {}
        self._seconds = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}Z" for s in range(DAY)]

    def __call__(self, ts: int | None) -> str | None:
        if ts is None:
            return None
        day, seconds = divmod(int(ts), DAY)
        prefix = self._days.get(day)
        if prefix is None:
            prefix = self._days[day] = time.strftime("%Y-%m-%dT", time.gmtime(day * DAY))
        return prefix + self._seconds[seconds]


# --- tracking numbers: plausible formats, with check digits where carriers define one ---

def _ups(rng: random.Random) -> str:
    body = token(rng.randrange(36**6), 6, UPPER36) + rng.choice(("01", "02", "03", "12")) + _digits(rng, 7)
    total = 0
    for index, char in enumerate(body):
        value = int(char) if char.isdigit() else (ord(char) - 63) % 10
        total += value * (2 if index % 2 else 1)
    return f"1Z{body}{(10 - total % 10) % 10}"


def _mod10(digits: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return digits + str((10 - total % 10) % 10)


def _s10(rng: random.Random, prefix: str, country: str) -> str:
    """UPU S10: two letters, eight digits, a mod-11 check digit, the country code."""
    digits = [int(d) for d in _digits(rng, 8)]
    check = 11 - sum(d * w for d, w in zip(digits, (8, 6, 4, 2, 3, 5, 9, 7))) % 11
    check = 0 if check == 10 else 5 if check == 11 else check
    return f"{prefix}{''.join(map(str, digits))}{check}{country}"


def _digits(rng: random.Random, count: int) -> str:
    return f"{rng.randrange(10**count):0{count}d}"


def tracking_number(rng: random.Random, carrier: str) -> str:
    if carrier == "UPS":
        return _ups(rng)
    if carrier == "USPS":
        return _mod10("9400" + _digits(rng, 17))
    if carrier == "FedEx":
        return _digits(rng, 12)
    if carrier == "DHL":
        number = _digits(rng, 9)
        return number + str(int(number) % 7)
    if carrier == "Royal Mail":
        return _s10(rng, rng.choice(("TT", "AB", "RB")), "GB")
    if carrier == "Colissimo":
        return "6A" + _digits(rng, 11)
    if carrier == "Poste Italiane":
        return _s10(rng, rng.choice(("RR", "CP")), "IT")
    if carrier == "Correos":
        return "PQ" + token(rng.randrange(36**4), 4, UPPER36) + _digits(rng, 14) + rng.choice("ABCDEFGHJKLMNPRSTVWXZ")
    if carrier == "DPD":
        return _digits(rng, 14)
    if carrier == "GLS":
        return _digits(rng, 11)
    return "TBA" + _digits(rng, 12)  # Amazon Logistics

