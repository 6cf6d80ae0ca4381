"""Carrier tracking numbers: which carrier a number belongs to, by its shape and check digit.

Rules from the MIT-licensed jkeen/tracking_number_data set as summarised in REFERENCE.md: UPS
``1Z`` + 16 (mod 10), USPS 20/22 digits (mod 10), FedEx 12 digits (mod 11) and 15 digits, DHL
Express 10 digits (mod 7), UPU S10 ``[A-Z]{2}\\d{9}[A-Z]{2}`` (Royal Mail, La Poste and other
posts). Colissimo's domestic 13-character form is unconfirmed and only used as a last guess.
Used to fill an empty carrier column, never to reject a number a carrier itself reported.
"""

from __future__ import annotations

import re

_CLEAN = re.compile(r"[\s-]+")
_VALID = re.compile(r"^[0-9A-Z]{6,40}$")
S10_POSTS = {"GB": "Royal Mail", "FR": "La Poste", "DE": "Deutsche Post", "US": "USPS", "CN": "China Post", "ES": "Correos", "IT": "Poste Italiane"}


def normalise(number: str) -> str:
    return _CLEAN.sub("", number or "").upper()


def looks_valid(number: str) -> bool:
    return bool(_VALID.match(number))


def _ups(number: str) -> bool:
    body = number[2:]
    total = 0
    for position, char in enumerate(body[:-1]):
        value = int(char) if char.isdigit() else (ord(char) - 63) % 10
        total += value * (2 if position % 2 else 1)
    return (10 - total % 10) % 10 == int(body[-1])


def _mod10(digits: str) -> bool:
    """USPS / FedEx 15-digit style: weights 3 and 1 from the right, before the check digit."""
    payload, check = digits[:-1], int(digits[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(payload)))
    return (10 - total % 10) % 10 == check


def _fedex12(digits: str) -> bool:
    weights = [3, 1, 7]
    total = sum(int(d) * weights[i % 3] for i, d in enumerate(reversed(digits[:-1])))
    return total % 11 % 10 == int(digits[-1])


def _dhl10(digits: str) -> bool:
    return int(digits[:-1]) % 7 == int(digits[-1])


def _s10(number: str) -> bool:
    digits = number[2:10]
    total = sum(int(d) * w for d, w in zip(digits, (8, 6, 4, 2, 3, 5, 9, 7)))
    check = 11 - total % 11
    check = 0 if check == 10 else 5 if check == 11 else check
    return check == int(number[10])


def guess_carrier(number: str) -> str | None:
    number = normalise(number)
    if re.fullmatch(r"1Z[0-9A-Z]{16}", number) and _ups(number):
        return "UPS"
    if re.fullmatch(r"[A-Z]{2}\d{9}[A-Z]{2}", number) and _s10(number):
        return S10_POSTS.get(number[-2:], "Post")
    if number.isdigit():
        if len(number) in (20, 22) and _mod10(number):
            return "USPS"
        if len(number) == 12 and _fedex12(number):
            return "FedEx"
        if len(number) == 15 and _mod10(number):
            return "FedEx"
        if len(number) == 10 and _dhl10(number):
            return "DHL Express"
        if len(number) >= 26 and _mod10(number):
            return "USPS"
    if re.fullmatch(r"\d[A-Z]\d{11}", number):
        return "Colissimo"  # unconfirmed pattern
    return None
