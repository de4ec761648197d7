#!/usr/bin/env python3
"""Rebuild the font files in this folder from the upstream Noto TTFs.

Usage: python3 subset-fonts.py SOURCE_DIR [OUT_DIR]
SOURCE_DIR holds the unpacked npm tarballs (`npm pack <name>` then `tar xzf`):
  @expo-google-fonts/noto-sans@0.4.2        -> noto-sans/package/...
  @expo-google-fonts/noto-sans-arabic@0.4.3 -> noto-sans-arabic/package/...
  @expo-google-fonts/noto-sans-sc@0.4.3     -> noto-sans-sc/package/...
  @expo-google-fonts/noto-sans-kr@0.4.3     -> noto-sans-kr/package/...
Needs fontTools (Debian: python3-fonttools). Hinting is dropped: PDFs do not
need it and it is a third of the size. Glyph records are padded to 4 bytes,
which fontkit's subsetter needs (see build()). The CJK fonts keep only the characters
of the national standard sets (see README.md), which keeps them a few MB.
"""
import os
import sys

from fontTools import subset
from fontTools.ttLib import TTFont

ASCII = set(range(0x20, 0x7F)) | {0xA0}


def decode_pairs(codec, leads, trails):
    found = set()
    for lead in leads:
        for trail in trails:
            try:
                text = bytes([lead, trail]).decode(codec)
            except UnicodeDecodeError:
                continue
            if len(text) == 1:
                found.add(ord(text))
    return found


def han(chars):
    return {c for c in chars if 0x3400 <= c <= 0x9FFF or 0xF900 <= c <= 0xFAFF}


def cjk_common():
    gb2312 = decode_pairs("gb2312", range(0xA1, 0xF8), range(0xA1, 0xFF))
    big5_level1 = decode_pairs("big5", range(0xA4, 0xC7), list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)))
    jis_x_0208 = decode_pairs("euc_jp", range(0xA1, 0xFF), range(0xA1, 0xFF))
    symbols = set(range(0x3000, 0x3100)) | set(range(0x31F0, 0x3300)) | set(range(0xFF00, 0xFFF0)) | set(range(0x2E80, 0x2F00))
    return han(gb2312 | big5_level1 | jis_x_0208) | symbols | ASCII


def hangul_common():
    ks_x_1001 = decode_pairs("euc_kr", range(0xA1, 0xFF), range(0xA1, 0xFF))
    syllables = {c for c in ks_x_1001 if 0xAC00 <= c <= 0xD7A3}
    return syllables | set(range(0x3130, 0x3190)) | set(range(0x3000, 0x3040)) | ASCII


ARABIC = {c for lo, hi in [(0x0600, 0x0700), (0x0750, 0x0780), (0x0870, 0x0900), (0xFB50, 0xFE00), (0xFE70, 0xFF00), (0x200C, 0x2010)] for c in range(lo, hi)} | ASCII


def build(src, dst, unicodes=None):
    options = subset.Options()
    options.hinting = False
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["DSIG"]
    font = TTFont(src)
    wanted = set(font.getBestCmap()) if unicodes is None else unicodes
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(wanted))
    subsetter.subset(font)
    # fontkit (pdf-lib's subsetter) writes short loca offsets, which halve
    # each glyph offset: glyph records must have even lengths or outlines break.
    font["glyf"].padding = 4
    font.save(dst)
    print(f"{os.path.basename(dst)}: {os.path.getsize(dst)} bytes, {len(font.getBestCmap())} characters")


def main():
    source = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.dirname(os.path.abspath(__file__))
    pkg = lambda name, face: os.path.join(source, name, "package", face)
    build(pkg("noto-sans", "400Regular/NotoSans_400Regular.ttf"), os.path.join(out, "NotoSans-Regular.ttf"))
    build(pkg("noto-sans", "700Bold/NotoSans_700Bold.ttf"), os.path.join(out, "NotoSans-Bold.ttf"))
    build(pkg("noto-sans-arabic", "400Regular/NotoSansArabic_400Regular.ttf"), os.path.join(out, "NotoSansArabic-Regular.ttf"), ARABIC)
    build(pkg("noto-sans-arabic", "700Bold/NotoSansArabic_700Bold.ttf"), os.path.join(out, "NotoSansArabic-Bold.ttf"), ARABIC)
    build(pkg("noto-sans-sc", "400Regular/NotoSansSC_400Regular.ttf"), os.path.join(out, "NotoSansSC-Regular.ttf"), cjk_common())
    build(pkg("noto-sans-kr", "400Regular/NotoSansKR_400Regular.ttf"), os.path.join(out, "NotoSansKR-Regular.ttf"), hangul_common())


if __name__ == "__main__":
    main()
