"""Build the sample release batch in data/sample-batch/ (run once; its output is committed).

    .venv/bin/python data/build_sample.py

The seed record (D0000032552803) is the real Seoul record of ../shared/seed, its body text
restored with its bullets; the other records are written for this sample: realistic in form,
invented in content. Every person named in a withheld file is fictitious.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tools.docmaker import write_hwpx, write_pdf, write_record  # noqa: E402
from tools.scanmaker import write_scan_png  # noqa: E402

OUT = HERE / "sample-batch"
SEED_CLASS = ["행정", "일반행정지원", "과공통일반사무", "일반관리(서무)", "일반업무관리"]


def seed(out: Path) -> None:
    body = (HERE / "sample-src" / "D0000032552803-body.txt").read_text(encoding="utf-8")
    folder = out / "D0000032552803"
    folder.mkdir(parents=True)
    write_hwpx(folder / "결재문서본문.hwpx", body, "’17년도 제4차 서울협치협의회 개최결과 보고")
    write_hwpx(folder / "제4차 서울협치협의회 회의록(2017.12.15).hwpx", "\n".join([
        "제4차 서울협치협의회 회의록",
        "일시: 2017. 12. 15.(금) 10:00 ~ 11:25 / 장소: 서울시청 신청사 6층 영상회의실",
        "위원 한가람(가명): 권고안 실행계획은 분과별로 나누어 수립하는 것이 좋겠습니다.",
        "위원 도서윤(가명): 지역분과위원회 위원 추천 절차를 구청과 협의해 주십시오. 연락처 010-5512-7741",
        "간사: 다음 회의는 2018년 3월에 열 예정입니다.",
    ]), "회의록")
    write_pdf(folder / "참석자 명부(제4차 서울협치협의회).pdf", "\n".join([
        "제4차 서울협치협의회 참석자 명부",
        "연번 | 성명 | 소속 | 연락처 | 서명",
        "1 | 한가람 | 협치서울시민협의회 | 010-5512-7740 | (서명)",
        "2 | 도서윤 | 지역공동체네트워크 | 010-3381-2290 | (서명)",
        "3 | 맹지후 | 시민위원 | 010-7720-1184 | (서명)",
    ]), "참석자 명부")
    import json
    record = json.loads((HERE / "sample-src" / "D0000032552803.json").read_text(encoding="utf-8"))
    write_record(folder, record, {})


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir()
    seed(OUT)
    from sample_records import RECORDS  # the other records, kept apart for length

    for record, files in RECORDS:
        folder = OUT / record["id"]
        folder.mkdir()
        for name, (kind, text) in files.items():
            if kind == "hwpx":
                write_hwpx(folder / name, text, record["title"])
            elif kind == "pdf":
                write_pdf(folder / name, text, record["title"])
            elif kind == "scan":  # a picture of the text, no text layer (issue 16)
                write_scan_png(folder / name, text.split("\n"), seed=7)
            else:
                (folder / name).write_text(text, encoding="utf-8")
        write_record(folder, record, {})
    print(f"wrote {len(RECORDS) + 1} records to {OUT}")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    main()
