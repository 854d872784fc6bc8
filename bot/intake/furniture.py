"""Site furniture: what a page carries around and inside a story that is never a claim.

The extractor drops most navigation, but what sits inside the article body reaches the text: an inline
"Advertisement" block and its sale copy (which may well name two places the dossier knows), "Related:" and
"Read more:" links, share bars, newsletter and donation prompts, comment forms, bylines, credits and
copyright lines. Each is recognised by what it says, wherever it sits, and left out; so is a line that
ends without a full stop (a related headline, a tag list, a label), since a statement ends with one.
A wire dateline ("YANGON, Oct 29 (Wirewatch) -") is cut from the sentence it opens.
"""

from __future__ import annotations

import re

_LABEL = re.compile(
    r"^\W*(advertisement|advertising|sponsored( content)?|ad|promoted|paid (content|post)|partner content|"
    r"ကြော်ငြာ|广告|iklan)\W*$",
    re.IGNORECASE,
)
_FURNITURE = re.compile(
    "|".join(
        (
            # advertisements and sale copy
            r"^\W*(advertisement|sponsored|ad|promoted|广告|iklan)\s*[:：]",
            r"\b\d+\s?%\s*off\b",
            r"\bsave\s+(up\s+to\s+)?\d+\s?%",
            r"\b(flash|year-end|clearance|big|summer|holiday)\s+sale\b|^\W*sale\b",
            r"\b(discount|coupon|promo code|free (delivery|shipping)|limited (seats|time|offer|stock)|"
            r"while stocks last|book (now|today|before)|shop now|buy now|order now|first lesson free|"
            r"talk to our|from just|online shop)\b",
            r"[$€£]\s?\d|\b\d[\d,.]*\s*kyat\b.*\b(book|buy|shop|fly)\b",
            r"特惠|抢购|低至|优惠|လျှော့ဈေး|ဝယ်ယူပါ|diskon|promo\b",
            # prompts and links to elsewhere
            r"\b(subscribe|sign up|newsletter|click here|download (the|our)\b.*\bapp\b|follow (us )?on|"
            r"make a donation|donate (now|today)|support (independent|our) journalism|unsubscribe|manage preferences)",
            r"^\W*(read more|also read|read next|related|see also|more from|most read|recommended|baca juga|"
            r"相关新闻|related (stories|articles|coverage|posts))\b",
            r"\byou have read \d+ of \d+\b|\blog in\b",
            r"^\W*share( this| on| to)?\b|\bshare on (facebook|x|twitter)\b|မျှဝေရန်",
            # comment forms
            r"\bleave a (reply|comment)\b|\byour email address will not be published\b|\brequired fields are marked\b",
            r"\bsave my name, email\b|\bpost comment\b|\bplease enter your (comment|name)\b|incorrect email address",
            r"\b\d+ (thoughts|comments|responses) on\b",
            # bylines, credits, copyright, the outlet talking about itself
            r"^\W*by\s+[A-Z]|\b(reporting|writing|editing|additional reporting) by\b|\bour standards\b",
            r"\btrust principles\b|^\W*(posted (on|in)|tags?|tagged|filed under|photo|credit|source)\s*[:：]",
            r"©|\bcopyright\b|\ball rights reserved\b|\bmay not be (published|reproduced)\b",
            r"版权所有|责任编辑|来源[:：]",
            r"\bhak cipta\b|မူပိုင်ခွင့်|\bpowered by\b|\bdeveloped by\b|\bterms of (use|service)\b|\bprivacy policy\b",
            r"\bthis (brief|article|story|report) (is|was) (compiled|updated|produced)\b|^\W*corrections?\s*:",
            r"^\W*(question|q|pertanyaan|问)\s*[:：]|\bcould not be (independently )?verified\b|"
            r"\bcould not (be )?independently verif|\bnotes prepared by\b|\bunofficial summary\b",
            r"\bdownload (the )?report\b",
        )
    ),
    re.IGNORECASE,
)
# What ends a statement in the scripts reports come in (closing quotes and brackets may follow).
_ENDS_STATEMENT = re.compile(r"[.!?…。！？။][\"”’'»」』)）\]]*\s*$")
_DATELINE = re.compile(
    r"^[A-Z][A-Z .'’-]{2,40}(,\s*[A-Z][a-z]{2,4}\.?\s+\d{1,2})?\s*(\([^()]{2,40}\))?\s*[-–—]+\s+(?=\S)"
)
# Labels a transcript or a Q&A page puts before an answer.
_ANSWER_LABEL = re.compile(r"^\W*(summary of the answer|answer|a|jawab|答)\s*[:：]\s*", re.IGNORECASE)


def is_furniture(text: str) -> bool:
    """Whether a line or a sentence is site furniture rather than reporting."""
    return bool(_LABEL.match(text) or _FURNITURE.search(text))


def story_lines(text: str) -> list[str]:
    """The lines of an article's text that can hold statements: furniture and unfinished lines left out.

    The line after an "Advertisement" or "Sponsored" label is the advertisement: it goes too, whatever it says.
    """
    kept = []
    after_label = False
    for line in text.splitlines():
        line = " ".join(line.split())
        if not line:
            continue
        labelled, after_label = after_label, bool(_LABEL.match(line))
        if labelled or after_label or is_furniture(line) or not _ENDS_STATEMENT.search(line):
            continue
        kept.append(_ANSWER_LABEL.sub("", _DATELINE.sub("", line)))
    return kept
