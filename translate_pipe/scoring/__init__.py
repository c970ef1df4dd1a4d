"""Scores for every pair: model confidence, rule flags, one combined score and a label.

Scores and decisions are separate (as in OpusFilter): every number is stored, and
the label comes from thresholds in ``configs/default.yaml`` that a user can change
and re-apply without translating again.
"""

from __future__ import annotations

import math

from ..config import ScoreConfig
from ..model import Flag, PairScores, TranslationResult
from .rules import Rule, default_rules

LABELS = ("good", "check", "bad")


class PairScorer:
    """Scores (source, translation) pairs with the configured rules and thresholds."""

    def __init__(self, config: ScoreConfig | None = None, rules: list[Rule] | None = None,
                 max_length: int | None = None):
        self.config = config or ScoreConfig()
        self.rules = rules if rules is not None else default_rules(self.config.rules)
        #: translate.max_length, for the hit_max_length reason: the stored token count
        #: includes </s>, so it is one more than the limit the user set.
        self.max_length = max_length
        if rules is None and self.config.glossaries:
            from .glossary import terminology_rule

            self.rules.append(terminology_rule(self.config.glossaries))

    def score(self, src: str, result: TranslationResult, src_lang: str, tgt_lang: str) -> PairScores:
        tgt = result.text
        flags = [Flag(rule.name, reason) for rule in self.rules
                 if (reason := rule.check(src, tgt, src_lang, tgt_lang)) is not None]
        if result.hit_max_length:
            limit = (f"the {self.max_length}-token limit (translate.max_length)" if self.max_length
                     else "the token limit (translate.max_length)")
            flags.append(Flag("hit_max_length", f"decoding stopped at {limit}"))
        if result.pieces > 1:
            flags.append(Flag("split_for_length", f"the source was translated in {result.pieces} pieces"))
        values = {
            "logprob_mean": result.logprob_mean,
            "logprob_std": result.logprob_std,
            "confidence": math.exp(result.logprob_mean) if result.n_tokens else 0.0,
            "length_ratio": len(tgt) / len(src) if src else 0.0,
            "output_tokens": float(result.n_tokens),
        }
        if result.entropy_mean is not None:
            values["entropy_mean"] = result.entropy_mean
        combined, label = self.decide(values["confidence"], [f.name for f in flags])
        return PairScores(values=values, flags=tuple(flags), combined=combined, label=label)

    def score_reviewed(self, src: str, tgt: str, src_lang: str, tgt_lang: str, status: str,
                       model_values: dict[str, float] | None = None) -> PairScores:
        """Scores of a version a person wrote or reviewed.

        The rules run again on the new text. The model's confidence does not apply to
        text a person wrote (``model_values``, the machine's numbers, are kept only when
        the text is the machine's), so the combined score starts from 1 and the flags'
        penalties apply. An approved pair is labelled good whatever its flags (they stay
        visible); a rejected one is bad with score 0.
        """
        flags = [Flag(rule.name, reason) for rule in self.rules
                 if (reason := rule.check(src, tgt, src_lang, tgt_lang)) is not None]
        values = dict(model_values or {})
        values["length_ratio"] = len(tgt) / len(src) if src else 0.0
        combined, label = self.decide(1.0, [f.name for f in flags])
        if status == "approved":
            label = "good"
        elif status == "rejected":
            combined, label = 0.0, "bad"
        return PairScores(values=values, flags=tuple(flags), combined=combined, label=label)

    def decide(self, confidence: float, flag_names: list[str]) -> tuple[float, str]:
        """Combined score in [0, 1] and label from the confidence and the flags that fired."""
        combined = confidence
        for name in flag_names:
            combined *= self.config.penalties.get(name, 1.0)
        combined = min(max(combined, 0.0), 1.0)
        thresholds = self.config.labels
        if any(name in self.config.fatal_flags for name in flag_names) or combined < thresholds.check:
            return combined, "bad"
        if combined >= thresholds.good and not flag_names:
            return combined, "good"
        return combined, "check"


__all__ = ["LABELS", "PairScorer"]
