"""The reply linter runs on every keystroke: how long one pass over a 2,000-character reply takes.

Run on demand: ``python tests/bench/bench_lint.py``. For scale, the same run times five plain
patterns (links, e-mails, phones, review words, social names) recompiled on every call: a floor
for any linter that looks at the text at all, not a linter with our rules. This was a test with
a 2 ms assertion until it failed on a loaded machine; speed is measured here, never asserted.
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from deskui.replies.linter import lint  # noqa: E402

REPLY = (
    "Bonjour Claire,\n\nJe suis vraiment désolée que la lampe de bureau LED de la commande 171-5550123-1234567 soit "
    "arrivée endommagée. Le colis est parti le 19 novembre 2026 avec Colissimo, numéro de suivi 6A12345678901, et "
    "la dernière information du transporteur est : livré, Lyon (23 novembre 2026).\n\nNous pouvons régler cela tout "
    "de suite, selon votre préférence : un remplacement expédié aujourd'hui sans frais, ou un remboursement intégral "
    "de 59,90 €. Répondez simplement avec votre choix. Si possible, une photo des dégâts et du carton nous aide à "
    "faire le nécessaire auprès du transporteur. N'hésitez pas à nous laisser un avis positif, et suivez-nous sur "
    "Instagram ! Appelez le 06 12 34 56 78 ou écrivez à sav@nordhaus.fr, ou voyez www.nordhaus.fr.\n\n"
)
NAIVE_PATTERNS = [r"https?://\S+|www\.\S+", r"[\w.+-]+@[\w-]+\.[\w.]+", r"\+?\d[\d .()-]{7,}\d",
                  r"avis|review|bewertung|reseña|recensione", r"instagram|facebook|tiktok|follow us|suivez-nous"]


def timed(function, runs: int = 300) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    text = (REPLY * 4)[:2000]
    assert lint(text, "amazon")
    ours = timed(lambda: lint(text, "amazon", subject="Re: Colis abîmé"))

    def naive():
        for pattern in NAIVE_PATTERNS:
            re.purge()
            re.search(pattern, text, re.IGNORECASE)

    theirs = timed(naive)
    print(f"lint, 2,000-char reply, every rule: median {ours:.2f} ms per keystroke (target < 2 ms)")
    print(f"for scale: 5 plain patterns recompiled per call: median {theirs:.2f} ms")


if __name__ == "__main__":
    main()
