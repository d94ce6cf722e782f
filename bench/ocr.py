"""OCR of Korean scans: character accuracy and seconds per page, by resolution, page-segmentation mode and tool.

    .venv/bin/python bench/ocr.py [--pages 4] [--psm 3 4 6 11] [--dpi 150 300] [--ocrmypdf PATH]

Renders pages of Korean official prose (NanumGothic, 10.5 pt, as a ministry's report) with Pillow at
each resolution, adds scanner noise (Gaussian grain, salt-and-pepper specks) and a slight rotation
(-1.2 to +1.2 degrees), and reads them back with Tesseract (kor+eng) as archive/ocr.py does. A second
set is "cropped": five lines cut out of a page with a narrow margin, the shape of a stamped excerpt or
a fax strip, on which Tesseract's default mode 3 drops lines. Character accuracy is
1 - (edit distance / reference length) with all white space removed (spacing is not what search needs).

Also: pytesseract (its image_to_string, same engine, temp files) and, given --ocrmypdf, ocrmypdf over
an image-only PDF of the same pages; and the PDF rasterisers available (pypdfium2, pdfplumber's
to_image, pdftoppm when poppler-utils is installed).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw, ImageFilter, ImageFont  # noqa: E402

from archive import ocr  # noqa: E402

FONT = "/usr/share/fonts/truetype/nanum/NanumGothic.ttf"
PARAGRAPHS = [
    "서울특별시는 시민의 알 권리를 보장하고 시정 운영의 투명성을 높이기 위하여 "
    "결재문서를 원문 그대로 공개하고 있습니다.",
    "이번 협의회에서는 지역분과위원회 구성 방안과 2018년도 협치 의제 선정 절차를 논의하였으며, "
    "위원 다수가 시민 참여 확대에 찬성하였습니다.",
    "미세먼지 저감을 위한 노후 경유차 운행 제한은 2019년 2월 15일부터 시행되며, "
    "위반 차량에는 과태료 10만원이 부과됩니다.",
    "각 자치구는 공공도서관 운영 현황을 매 분기 말까지 보고하여 주시기 바라며, "
    "예산 집행 실적은 별지 서식에 따라 작성합니다.",
    "주민자치회 시범 사업에 참여한 동 주민센터는 총 26곳이며, 사업비는 동별로 평균 4천5백만원이 지원되었습니다.",
    "붙임 문서의 개인정보는 「개인정보 보호법」 제24조에 따라 처리하여야 하며, 열람 후에는 즉시 파기하시기 바랍니다.",
    "청년 일자리 지원 사업의 신청 기간은 3월 4일부터 3월 22일까지이고, 선정 결과는 누리집에 공고할 예정입니다.",
    "도로 보수 공사로 인하여 세종대로 일부 구간의 차로가 축소 운영되오니 시민 여러분의 양해를 부탁드립니다.",
]


def page_text(seed: int, lines: int) -> list[str]:
    rng = random.Random(seed)
    words = " ".join(rng.sample(PARAGRAPHS, len(PARAGRAPHS))).split()
    out, line = [], ""
    for word in words:
        if len(line) + len(word) + 1 > 38:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    out.append(line)
    return (out * 3)[:lines]


def render(lines: list[str], dpi: int, seed: int, cropped: bool) -> Image.Image:
    rng = random.Random(seed)
    size_px = round(10.5 * dpi / 72)
    font = ImageFont.truetype(FONT, size_px)
    margin = round((0.15 if cropped else 0.9) * dpi)
    step = round(size_px * 1.7)
    width = round(8.27 * dpi) if not cropped else round(6.6 * dpi)
    height = 2 * margin + step * len(lines) if cropped else round(11.69 * dpi)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((margin, margin + i * step), line, font=font, fill=rng.randint(0, 40))
    image = image.rotate(rng.uniform(-1.2, 1.2), resample=Image.BICUBIC, expand=True, fillcolor=255)
    noise = Image.effect_noise(image.size, 40).point(lambda v: v - 128)
    image = Image.blend(image, Image.merge("L", [noise]).convert("L"), 0.12).filter(ImageFilter.GaussianBlur(0.5))
    pixels = image.load()
    for _ in range(image.width * image.height // 2000):  # specks of dust
        pixels[rng.randrange(image.width), rng.randrange(image.height)] = rng.choice((0, 255))
    image.info["dpi"] = (dpi, dpi)
    return image


def distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def accuracy(reference: str, read: str) -> float:
    ref, got = "".join(reference.split()), "".join(read.split())
    return max(0.0, 1 - distance(ref, got) / len(ref))


def pages(n: int, dpi: int, cropped: bool):
    for k in range(n):
        lines = page_text(k, 5 if cropped else 28)
        yield "\n".join(lines), render(lines, dpi, 1000 * k + dpi, cropped)


def measure(label: str, read, n: int, dpi: int, cropped: bool) -> tuple[float, float]:
    accs, secs = [], []
    for reference, image in pages(n, dpi, cropped):
        start = time.perf_counter()
        text = read(image)
        secs.append(time.perf_counter() - start)
        accs.append(accuracy(reference, text))
    print(f"{label:<44} {dpi:>4} dpi  accuracy {100 * statistics.mean(accs):5.1f}% "
          f"(min {100 * min(accs):5.1f}%)  {statistics.mean(secs):5.2f} s/page", flush=True)
    return statistics.mean(accs), statistics.mean(secs)


def rasterisers(n: int) -> None:
    from fpdf import FPDF

    with tempfile.TemporaryDirectory() as tmp:
        pdf = FPDF(unit="pt", format="A4")
        for k, (_, image) in enumerate(pages(n, 300, False)):
            path = Path(tmp) / f"p{k}.png"
            image.save(path)
            pdf.add_page()
            pdf.image(str(path), x=0, y=0, w=595, h=842)
        target = Path(tmp) / "scan.pdf"
        pdf.output(str(target))
        start = time.perf_counter()
        for i in range(n):
            ocr.render_pdf_page(target, i, 300)
        print(f"rasterise pypdfium2 (archive/ocr.py)      300 dpi  {(time.perf_counter() - start) / n:5.3f} s/page")
        import pdfplumber

        start = time.perf_counter()
        with pdfplumber.open(target) as doc:
            for page in doc.pages:
                page.to_image(resolution=300).original.convert("L")
        print(f"rasterise pdfplumber to_image (pdfium)    300 dpi  {(time.perf_counter() - start) / n:5.3f} s/page")
        if shutil.which("pdftoppm"):
            start = time.perf_counter()
            subprocess.run(["pdftoppm", "-r", "300", "-gray", str(target), str(Path(tmp) / "pp")], check=True)
            print(f"rasterise pdftoppm                        300 dpi  {(time.perf_counter() - start) / n:5.3f} s/page")
        else:
            print("rasterise pdftoppm: not installed (Debian poppler-utils)")


def ocrmypdf_run(binary: str, n: int, dpi: int) -> None:
    from fpdf import FPDF

    with tempfile.TemporaryDirectory() as tmp:
        refs = []
        pdf = FPDF(unit="pt", format="A4")
        for k, (reference, image) in enumerate(pages(n, dpi, False)):
            refs.append(reference)
            path = Path(tmp) / f"p{k}.png"
            image.save(path, dpi=(dpi, dpi))
            pdf.add_page()
            pdf.image(str(path), x=0, y=0, w=595, h=842)
        source, target = Path(tmp) / "in.pdf", Path(tmp) / "out.pdf"
        pdf.output(str(source))
        start = time.perf_counter()
        done = subprocess.run([binary, "-l", "kor+eng", "--output-type", "pdf", "--jobs", "1",
                               "--tesseract-pagesegmode", str(ocr.PSM), "--sidecar", str(Path(tmp) / "side.txt"),
                               str(source), str(target)], capture_output=True, text=True)
        elapsed = (time.perf_counter() - start) / n
        if done.returncode != 0:
            print(f"ocrmypdf failed ({done.returncode}): {done.stderr.strip()[-300:]}")
            return
        side = (Path(tmp) / "side.txt").read_text(encoding="utf-8").split("\f")
        accs = [accuracy(r, t) for r, t in zip(refs, side, strict=False)]
        label = f"ocrmypdf (psm {ocr.PSM}, image-only PDF)"
        print(f"{label:<44} {dpi:>4} dpi  accuracy "
              f"{100 * statistics.mean(accs):5.1f}%  {elapsed:5.2f} s/page")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=4)
    parser.add_argument("--psm", type=int, nargs="+", default=[3, 4, 6, 11])
    parser.add_argument("--dpi", type=int, nargs="+", default=[150, 300])
    parser.add_argument("--ocrmypdf", default=shutil.which("ocrmypdf"))
    parser.add_argument("--langs", nargs="+", default=[ocr.LANGS])
    args = parser.parse_args()
    if not ocr.available():
        raise SystemExit("tesseract with Korean data is not installed (Debian tesseract-ocr tesseract-ocr-kor)")
    print(subprocess.run(["tesseract", "--version"], capture_output=True, text=True).stdout.splitlines()[0])
    for cropped in (False, True):
        print("-- cropped strips (5 lines, narrow margin)" if cropped else "-- full A4 pages (28 lines)")
        for dpi in args.dpi:
            for langs in args.langs:
                for psm in args.psm:
                    measure(f"tesseract {langs} psm {psm}", lambda im, p=psm, lg=langs:
                            ocr.tesseract(im, im.info["dpi"][0], p, 120, lg), args.pages, dpi, cropped)
    try:
        import pytesseract
    except ImportError:
        print("pytesseract: not installed")
    else:
        measure(f"pytesseract {ocr.LANGS} psm {ocr.PSM}", lambda im: pytesseract.image_to_string(
            im, lang=ocr.LANGS, config=f"--psm {ocr.PSM} --dpi 300"), args.pages, 300, False)
    if args.ocrmypdf:
        ocrmypdf_run(args.ocrmypdf, args.pages, 300)
    rasterisers(args.pages)


if __name__ == "__main__":
    main()
