#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes tests/data/ftfy/fix_text.json: prompts and what ftfy 6.1.1's fix_text (default configuration, as
transformers 4.30's slow CLIPTokenizer runs it) makes of them, for tests/test_text_fixer.cpp.

Mojibake is made here from clean text (UTF-8 bytes read in the wrong encoding), so each case says how it
came about. ftfy and wcwidth are not on PyPI here:

    PYTHONPATH=/path/to/python-ftfy@v6.1.1:/path/to/wcwidth python3 tools/make_ftfy_goldens.py
"""
import json
import os
import sys

import ftfy
import ftfy.bad_codecs  # registers the sloppy-* codecs

if ftfy.__version__ != "6.1.1":
    sys.exit(f"need ftfy 6.1.1, found {ftfy.__version__}")

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "ftfy", "fix_text.json")


def moji(text, encoding, errors="strict"):
    """`text`'s UTF-8 bytes read as `encoding`."""
    return text.encode("utf-8").decode(encoding, errors)


def cesu8(text):
    """CESU-8: characters above U+FFFF as two 3-byte surrogates."""
    out = b""
    for ch in text:
        cp = ord(ch)
        if cp < 0x10000:
            out += ch.encode("utf-8")
        else:
            cp -= 0x10000
            for s in (0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF)):
                out += chr(s).encode("utf-8", "surrogatepass")
    return out


CASES = [
    # UTF-8 read as Windows-1252
    ("cp1252-cafe", moji("a café in Paris", "sloppy-windows-1252")),
    ("cp1252-sentence", moji("naïve résumé, crème brûlée", "sloppy-windows-1252")),
    ("cp1252-german", moji("Straße in Köln, schön grün", "sloppy-windows-1252")),
    ("cp1252-curly-quotes", "â€œhelloâ€\x9d"),
    ("cp1252-apostrophe", moji("it’s a dog’s life", "sloppy-windows-1252")),
    ("cp1252-dashes", moji("red — blue – green…", "sloppy-windows-1252")),
    ("cp1252-euro-tm", moji("€5 for the Brand™ ©", "sloppy-windows-1252")),
    ("cp1252-emoji", "ðŸ˜€ smiling"),
    ("cp1252-emoji-hole", moji("thumbs 👍 up", "sloppy-windows-1252")),
    ("cp1252-check", "âœ” No problems"),
    ("cp1252-spanish", moji("¿Qué tal, señor? ¡Olé!", "sloppy-windows-1252")),
    ("cp1252-cjk", moji("a 東京 street at night", "sloppy-windows-1252")),
    ("cp1252-russian", moji("Привет, мир", "sloppy-windows-1252")),
    ("cp1252-greek", moji("καλημέρα κόσμε", "sloppy-windows-1252")),
    ("cp1252-arabic", moji("مرحبا بالعالم", "sloppy-windows-1252")),
    ("cp1252-hindi", moji("नमस्ते दुनिया", "sloppy-windows-1252")),
    ("cp1252-degree", moji("90° angle, ½ cup, 2×3", "sloppy-windows-1252")),
    ("cp1252-nbsp", moji("100\u00a0km", "sloppy-windows-1252")),
    ("cp1252-strict-replace", moji("“quoted”", "windows-1252", "replace")),
    # UTF-8 read as Latin-1 (C1 controls where Windows-1252 has punctuation)
    ("latin1-acute", "sÃ³"),
    ("latin1-cafe", moji("café au lait", "latin-1")),
    ("latin1-quotes", moji("“smart quotes” and ‘single’", "latin-1")),
    ("latin1-ellipsis", moji("wait…", "latin-1")),
    ("latin1-emoji", moji("party 🎉 time", "latin-1")),
    ("latin1-c1-only", "\x93quoted\x94 \x85"),
    ("latin1-c1-hole", "x\x81y \x93z\x94"),
    # other single-byte encodings
    ("macroman-cafe", moji("café été", "macroman")),
    ("macroman-quotes", moji("“curly” – dash", "macroman")),
    ("macroman-german", moji("Größe über Äpfel", "macroman")),
    ("cp437-cafe", moji("café", "cp437")),
    ("cp437-sentence", moji("naïve façade déjà vu", "cp437")),
    ("cp1251-cafe", moji("café", "sloppy-windows-1251")),
    ("cp1251-quotes", moji("“Hello”", "sloppy-windows-1251")),
    ("cp1251-russian", moji("Москва, Россия", "sloppy-windows-1251")),
    ("cp1250-polish", moji("Łódź, żółć", "sloppy-windows-1250")),
    ("cp1253-greek", moji("Ελληνικά", "sloppy-windows-1253")),
    ("cp1253-quotes", moji("“Ά”", "sloppy-windows-1253")),
    ("cp1254-turkish", moji("İstanbul ağaç", "sloppy-windows-1254")),
    ("iso8859-2-czech", moji("čeština řeka", "iso-8859-2")),
    # twice
    ("double-cp1252", moji(moji("café", "sloppy-windows-1252"), "sloppy-windows-1252")),
    ("double-mixed", moji(moji("“déjà vu”", "sloppy-windows-1252"), "latin-1")),
    ("double-emoji", moji(moji("😀", "sloppy-windows-1252"), "sloppy-windows-1252")),
    # a lost 0xA0 byte shown as a space
    ("a0-voila", "voilÃ le travail"),
    ("a0-a-la-mode", "Ã la mode"),
    ("a0-a-la-two-spaces", "Ã  la carte"),
    ("a0-portuguese-as", "vou Ã s compras"),
    ("a0-portuguese-aquele", "Ã quele lugar"),
    ("a0-catalan", "Ã©s fÃ cil"),
    ("a0-nbsp", moji("10\u00a0kg", "sloppy-windows-1252").replace("\xa0", " ")),
    ("a0-pi", moji("Π", "sloppy-windows-1252").replace("\xa0", " ") + " ÃŽ"),
    ("a0-emoji", moji("😠angry", "sloppy-windows-1252").replace("\xa0", " ")),
    ("a0-dagger", moji("†", "sloppy-windows-1252").replace("\xa0", " ") + " and Ã©"),
    # lossy: bytes lost to '?' or U+FFFD
    ("lossy-fffd-quote", "â€œ like this â€\ufffd"),
    ("lossy-question", "cafÃ? and naÃ¯ve"),
    ("lossy-fffd-emoji", moji("👍", "windows-1252", "replace") + " ok"),
    ("lossy-fffd-alone", "caf\ufffd au lait"),
    ("lossy-fffd-cjk", "æ\ufffd±äº¬"),
    # inconsistent: mojibake next to text that is right
    ("mixed-correct-and-moji", "naïve but cafÃ©"),
    ("mixed-curly", "“real quotes” and â€œfake onesâ€\x9d"),
    ("mixed-cjk", "東京 and cafÃ©"),
    ("mixed-emoji", "😀 and ðŸ˜€"),
    ("mixed-euro", "€ and â‚¬"),
    # CESU-8 and Java's null
    ("cesu8-emoji", cesu8("a 😀 b").decode("sloppy-windows-1252")),
    ("java-null", moji("x", "latin-1") + "À\x80y Ã©"),
    # utf-8-variants' patterns end in '$', which also matches before a final line feed: that line feed is eaten
    ("variants-c0-before-newline", "Ã© À\nnext"),
    ("variants-cesu-before-newline", "ok " + cesu8("😊").decode("latin-1")[:-1] + "\n"),
    # text that must stay as it is
    ("keep-french", "façade, naïve, déjà vu, à la carte"),
    ("keep-a-grave-word", "à la mode, Ã la"),
    ("keep-german", "Größe, Äpfel, Straße, Übermaß"),
    ("keep-spanish", "¿Dónde está? ¡Allí!"),
    ("keep-scandinavian", "Ærø, Åland, Øresund"),
    ("keep-chinese", "一只猫坐在窗台上"),
    ("keep-japanese", "東京の夜景、カタカナ"),
    ("keep-korean", "서울의 밤"),
    ("keep-russian", "Привет, мир! Москва"),
    ("keep-greek", "Ελληνικά κείμενα"),
    ("keep-emoji", "😀🎉👍🏽❤️"),
    ("keep-math", "∑ x² ≤ ∞, ±√2, 3×4÷2, ∂f/∂x"),
    ("keep-symbols", "© 2023 ® ™ § ¶ † ‡ • °C ½"),
    ("keep-kaomoji", "(╯°□°)╯︵ ┻━┻ ¯\\_(ツ)_/¯"),
    ("keep-latin1-caps", "ÀÉÎÕÜ ÇÑ"),
    ("keep-pound-yen", "£5, ¥100, ¢"),
    ("keep-ascii", "a photo of a cat, 4k, trending on artstation"),
    ("keep-fffd", "broken \ufffd char"),
    # HTML entities with and around mojibake
    ("html-entity-moji", "&Atilde;&copy;t&Atilde;&copy;"),
    ("html-entities", "caf&eacute; &amp; cr&egrave;me &#x2019;s &hellip;"),
    ("html-macr", "&macr;\\_(ã\x83\x84)_/&macr;"),
    ("html-left-alone", "<b>cafÃ©</b> &amp; more"),
    ("html-second-line", "cafÃ© &amp;\n<i>x</i> &amp; Ã©"),
    ("html-caps", "P&EACUTE;REZ &NTILDE;"),
    # other fixes meeting mojibake
    ("ligature-moji", moji("ﬁne ﬂower", "sloppy-windows-1252")),
    ("fullwidth-moji", moji("ＬＯＵＤ　ＮＯＩＳＥ", "sloppy-windows-1252")),
    ("bom-moji", moji("\ufeffstart", "sloppy-windows-1252")),
    ("combining-moji", moji("e\u0301te\u0301", "sloppy-windows-1252")),
    ("nel-moji", "line\r\nnext Â\x85 end"),
    ("terminal-moji", "\x1b[31mcafÃ©\x1b[0m"),
    ("quotes-and-breaks", "â€˜aâ€™\r\nâ€œbâ€\x9d\u2028c"),
    ("multiline-moji", "first line cafÃ©\nsecond naïve\nthird â€œqâ€\x9d\n"),
    ("controls-moji", "a\x01b cafÃ©\x7f"),
    ("tabs-moji", "cafÃ©\tnaÃ¯ve\x0c"),
]


def main():
    names = [name for name, _ in CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    cases = []
    for name, text in CASES:
        text.encode("utf-8")  # the app reads UTF-8: no lone surrogates
        cases.append({"name": name, "input": text, "output": ftfy.fix_text(text)})
    doc = {
        "generator": "tools/make_ftfy_goldens.py",
        "ftfy_version": ftfy.__version__,
        "function": "ftfy.fix_text(input), default configuration",
        "cases": cases,
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")
    changed = sum(c["input"] != c["output"] for c in cases)
    print(f"wrote {OUT}: {len(cases)} cases, {changed} changed by fix_text")


if __name__ == "__main__":
    main()
