"""The sample batch's records besides the seed: (record.json, {file: (format, text)})."""

ADMIN = ["행정", "일반행정지원", "과공통일반사무", "일반관리(서무)", "일반업무관리"]

RECORDS = [
    (
        {
            "id": "D0000035120417", "title": "2019년 미세먼지(PM2.5) 저감 종합대책 추진 보고",
            "kind": "결재문서", "agency": "서울특별시", "department": "기후환경본부 대기정책과",
            "doc_number": "대기정책과-2291", "produced": "2019-03-12", "approved": "2019-03-12",
            "retention": "10y", "author": {"name": "윤하늘", "phone": "02-2133-3592"},
            "approval_chain": [
                {"position": "주무관", "name": "윤하늘"},
                {"position": "대기정책팀장", "name": "서지원"},
                {"position": "대기정책과장", "name": "남궁현", "date": "2019-03-12", "final": True},
            ],
            "classification": ["환경", "대기환경", "미세먼지관리"],
            "licences": ["KOGL-1"],
            "summary": "초미세먼지(**PM2.5**) 고농도 계절에 대비한 *비상저감조치* 강화와 "
                       "노후 경유차 운행 제한 확대 계획.",
            "attachments": [
                {"file": "미세먼지 저감 종합대책.hwpx", "disclosure": "public"},
                {"file": "측정소별 농도 현황.pdf", "disclosure": "public", "title": "2018년 측정소별 PM2.5 농도"},
            ],
            "disclosure": "public",
        },
        {
            "미세먼지 저감 종합대책.hwpx": ("hwpx", "\n".join([
                "2019년 미세먼지(PM2.5) 저감 종합대책",
                "□ 추진 배경",
                "○ 2018년 서울의 초미세먼지(PM2.5) 연평균 농도는 23㎍/㎥로 국가 대기환경기준(15㎍/㎥)을 넘음",
                "○ 겨울철과 봄철 고농도 사례가 잦아 비상저감조치 발령 기준을 강화할 필요가 있음",
                "□ 주요 내용",
                "○ 비상저감조치 발령 시 5등급 노후 경유차 운행 제한 및 공공기관 차량 2부제 시행",
                "○ 사업장 대기오염물질 배출 저감: 대형 사업장 가동률 조정 협약 체결",
                "| 구분 | 2018년 | 2019년 목표",
                "| PM2.5 연평균(㎍/㎥) | 23 | 20",
                "| 비상저감조치 발령 횟수 | 7 | 5 이하",
                "□ 행정사항",
                "○ 자치구, 서울시교육청과 협력하여 시민 행동요령 안내문 배포",
            ])),
            "측정소별 농도 현황.pdf": ("pdf", "2018년 측정소별 초미세먼지(PM2.5) 연평균 농도\n"
                                        "종로구 24 / 중구 25 / 강남구 22 / 송파구 23 / 은평구 21 (단위 ㎍/㎥)\n"
                                        "자료: 서울특별시 보건환경연구원 대기질 측정망"),
        },
    ),
    (
        {
            "id": "MOIS-2021-0412", "title": "국민이 체감하는 정부혁신 종합계획 발표",
            "kind": "보도자료", "agency": "행정안전부", "department": "정부혁신조직실 혁신기획과",
            "doc_number": "혁신기획과-1187", "produced": "2021-04-12", "retention": "permanent",
            "author": {"name": "정민재", "phone": "044-205-2312"},
            "classification": ["행정", "정부혁신", "혁신계획"],
            "licences": ["KOGL-1"],
            "attachments": [{"file": "보도자료.md", "disclosure": "public"}],
        },
        {
            "보도자료.md": ("md", "# 국민이 체감하는 정부혁신 종합계획 발표\n\n"
                              "행정안전부는 4월 12일 **정부혁신 종합계획**을 발표하였다.\n\n"
                              "- 공공데이터 전면 개방과 정보공개 청구 절차 간소화\n"
                              "- 민관협력 플랫폼을 통한 국민 참여 확대\n"
                              "- 디지털 정부 전환: 모바일 신분증, 전자증명서 확대\n\n"
                              "정부는 분기마다 추진 실적을 점검하고 결과를 공개할 계획이다.\n"),
        },
    ),
    (
        {
            "id": "BUSAN-UPC-2022-05", "title": "2022년 제5차 부산광역시 도시계획위원회 회의록",
            "kind": "회의록", "agency": "부산광역시", "department": "도시균형발전실 도시계획과",
            "doc_number": "도시계획과-8812", "produced": "2022-05-26", "approved": "2022-05-30",
            "retention": "30y", "author": {"name": "배수빈", "phone": "051-888-4431"},
            "approval_chain": [
                {"position": "주무관", "name": "배수빈"},
                {"position": "도시계획과장", "name": "탁정우", "date": "2022-05-30", "final": True},
            ],
            "classification": ["국토", "도시계획", "도시계획위원회"],
            "licences": ["KOGL-2"],
            "summary": "해운대구 재정비촉진지구 변경안 등 3건 심의. 회의 요지는 공개하고, "
                       "발언자별 속기록은 의사결정 과정 보호를 위해 비공개.",
            "attachments": [
                {"file": "회의 결과 요지.hwpx", "disclosure": "public"},
                {"file": "속기록.hwpx", "disclosure": "withheld", "grounds": [5, 6]},
            ],
            "disclosure": "partial",
        },
        {
            "회의 결과 요지.hwpx": ("hwpx", "\n".join([
                "2022년 제5차 도시계획위원회 심의 결과",
                "| 안건 | 심의 결과",
                "| 해운대 재정비촉진지구 변경(안) | 조건부 가결",
                "| 사하구 공원 조성계획 변경(안) | 원안 가결",
                "| 기장군 용도지역 변경(안) | 재심의",
                "○ 조건부 가결 안건은 보행 동선과 공공기여 계획을 보완하여 재상정",
            ])),
            "속기록.hwpx": ("hwpx", "\n".join([
                "속기록 (비공개)",
                "위원 성하람(가명): 기장군 안건은 토지 소유주 명단과 보상 예정가를 검토한 뒤 결정해야 합니다.",
                "위원 모윤서(가명): 특정 필지(기장읍 청강리 산 41-7)의 매입 예정가가 과다합니다.",
            ])),
        },
    ),
    (
        {
            "id": "GG-AUDIT-2020-031", "title": "2020년 ○○시 보조금 집행 특정감사 결과",
            "kind": "보고서", "agency": "경기도", "department": "감사관 조사담당관",
            "doc_number": "조사담당관-4410", "produced": "2020-09-18", "retention": "10y",
            "classification": ["행정", "감사", "특정감사"],
            "licences": ["KOGL-4"],
            "summary": "수사 의뢰 건이 포함되어 있어 보고서 전체를 비공개함.",
            "attachments": [{"file": "감사결과보고서.pdf", "disclosure": "withheld", "grounds": [4]}],
            "withheld_grounds": [4],
            "disclosure": "withheld",
        },
        {
            "감사결과보고서.pdf": ("pdf", "특정감사 결과 (비공개)\n"
                                     "보조사업자 석우진(가명)이 허위 정산서로 보조금 4,200만원을 "
                                     "부당 수령한 정황이 있어 "
                                     "수원지방검찰청에 수사를 의뢰함. 관련 계좌 352-0871-2211-83."),
        },
    ),
    (
        {
            "id": "SEN-2023-0907", "title": "2023년 2학기 학교 급식 위생점검 결과",
            "kind": "결재문서", "agency": "서울특별시교육청", "department": "체육건강문화예술과",
            "doc_number": "체육건강문화예술과-15520", "produced": "2023-09-07", "approved": "2023-09-08",
            "retention": "5y", "author": {"name": "하윤정", "phone": "02-1396"},
            "approval_chain": [
                {"position": "주무관", "name": "하윤정"},
                {"position": "학교보건팀장", "name": "금태오"},
                {"position": "체육건강문화예술과장", "name": "변서진", "date": "2023-09-08", "final": True},
            ],
            "classification": ["교육", "학교보건", "급식위생"],
            "licences": ["KOGL-2"],
            "attachments": [{"file": "급식 위생점검 결과.pdf", "disclosure": "public"}],
        },
        {
            "급식 위생점검 결과.pdf": ("pdf", "2023년 2학기 학교 급식 위생점검 결과\n"
                                         "점검 대상: 초·중·고 312개교 / 적합 298개교, 시정 14개교\n"
                                         "주요 지적 사항: 식재료 보관 온도 기록 누락, 조리도구 세척 소독 미흡\n"
                                         "조치: 시정 학교에 대해 10월 중 재점검 실시"),
        },
    ),
    (
        {
            "id": "KDCA-2021-0226", "title": "코로나19(COVID-19) 예방접종 시행계획 안내",
            "kind": "공문", "agency": "질병관리청", "department": "코로나19 예방접종대응추진단",
            "doc_number": "예방접종관리팀-3021", "produced": "2021-02-26", "retention": "permanent",
            "classification": ["보건", "감염병관리", "예방접종"],
            "licences": ["KOGL-1", "CC-BY-4.0"],
            "attachments": [{"file": "예방접종 시행계획.hwpx", "disclosure": "public"}],
        },
        {
            "예방접종 시행계획.hwpx": ("hwpx", "\n".join([
                "코로나19(COVID-19) 예방접종 시행계획",
                "1. 접종 대상 및 순서",
                "○ 1분기: 요양병원·요양시설 입소자 및 종사자, 코로나19 치료 병원 의료진",
                "○ 2분기: 65세 이상 어르신, 보건의료인",
                "2. 접종 방법",
                "○ 위탁의료기관 및 예방접종센터에서 사전 예약 후 접종",
                "○ 이상반응 발생 시 질병관리청 예방접종도우미 누리집으로 신고",
            ])),
        },
    ),
    (
        {
            "id": "D0000033810044", "title": "2018년 시민참여예산 운영 결과 보고",
            "kind": "결재문서", "agency": "서울특별시", "department": "서울혁신기획관 민관협력담당관",
            "doc_number": "민관협력담당관-2417", "produced": "2018-11-20", "approved": "2018-11-21",
            "retention": "5y", "author": {"name": "곽금영", "phone": "02-2133-6554"},
            "approval_chain": [
                {"position": "주무관", "name": "곽금영"},
                {"position": "협치기획팀장", "name": "이현주"},
                {"position": "민관협력담당관", "name": "조미숙", "date": "2018-11-21", "final": True},
            ],
            "classification": ADMIN,
            "licences": ["KOGL-4", "CC-BY-ND-3.0"],
            "attachments": [{"file": "운영 결과 보고.txt", "disclosure": "public"}],
        },
        {
            "운영 결과 보고.txt": ("txt", "2018년 시민참여예산 운영 결과 보고\n\n"
                                       "1. 개요: 시민이 직접 제안하고 결정하는 시민참여예산 500억원 편성\n"
                                       "2. 결과: 제안 3,412건 중 729건 선정, 시민 투표 참여 10만 2천 명\n"
                                       "3. 향후 계획: 자치구 시민참여예산과 연계하고 협치 의제와 통합 운영\n"),
        },
    ),
    (
        {
            "id": "ICN-2024-CT-118", "title": "2024년 상반기 용역 계약 현황 보고",
            "kind": "보고서", "agency": "인천광역시", "department": "회계과",
            "doc_number": "회계과-6630", "produced": "2024-07-03", "approved": "2024-07-05",
            "retention": "5y",
            "classification": ["재정", "계약", "용역계약"],
            "licences": ["KOGL-1"],
            "attachments": [
                {"file": "계약 현황.md", "disclosure": "public"},
                {"file": "업체별 견적서.pdf", "disclosure": "withheld", "grounds": [7],
                 "note": "업체의 영업상 비밀"},
            ],
            "disclosure": "partial",
        },
        {
            "계약 현황.md": ("md", "## 2024년 상반기 용역 계약 현황\n\n"
                               "| 구분 | 건수 | 금액(백만원) |\n|---|---|---|\n"
                               "| 일반용역 | 84 | 3,120 |\n| 학술용역 | 12 | 860 |\n\n"
                               "수의계약 비율은 18%로 전년 같은 기간보다 4%p 줄었다.\n"),
            "업체별 견적서.pdf": ("pdf", "업체별 견적서 (비공개)\n(주)청람엔지니어링 단가표: 책임연구원 일 452,000원, "
                                      "원가 산정 내역 및 하도급 조건 포함"),
        },
    ),
    (
        {
            "id": "ME-2022-WQ-07", "title": "2022년 7월 주요 하천 수질 측정 결과",
            "kind": "보고서", "agency": "환경부", "department": "물환경정책국 수질측정과",
            "doc_number": "수질측정과-977", "produced": "2022-08-10", "retention": "10y",
            "classification": ["환경", "수질관리", "수질측정"],
            "licences": ["KOGL-3"],
            "summary": "한강·낙동강·금강·영산강 54개 지점의 BOD, 총인(T-P) 측정값.",
            "attachments": [
                {"file": "수질 측정 결과.pdf", "disclosure": "public"},
                {"file": "측정 방법.md", "disclosure": "public"},
            ],
        },
        {
            "수질 측정 결과.pdf": ("pdf", "2022년 7월 주요 하천 수질 측정 결과\n"
                                     "한강 팔당댐 BOD 1.1 mg/L (Ⅰa 등급), 낙동강 물금 BOD 2.3 mg/L (Ⅱ 등급)\n"
                                     "금강 공주 총인 0.061 mg/L, 영산강 나주 총인 0.182 mg/L\n"
                                     "집중호우 이후 탁도가 일시적으로 높아짐"),
            "측정 방법.md": ("md", "### 측정 방법\n\n수질오염공정시험기준에 따라 매월 1회 채수하여 분석한다.\n"),
        },
    ),
    (
        {
            "id": "DAEGU-2025-CS-0314", "title": "2025년 1분기 민원 처리 현황",
            "kind": "결재문서", "agency": "대구광역시", "department": "시민소통과",
            "doc_number": "시민소통과-1402", "produced": "2025-04-02", "approved": "2025-04-03",
            "retention": "3y", "author": {"name": "엄다인", "phone": "053-803-2741"},
            "approval_chain": [
                {"position": "주무관", "name": "엄다인"},
                {"position": "시민소통과장", "name": "위승훈", "date": "2025-04-03", "final": True},
            ],
            "classification": ["행정", "민원", "민원처리"],
            "licences": ["KOGL-1"],
            "attachments": [
                {"file": "민원 처리 현황.hwpx", "disclosure": "public"},
                {"file": "민원인 명단.hwpx", "disclosure": "withheld", "grounds": [6]},
            ],
            "disclosure": "partial",
        },
        {
            "민원 처리 현황.hwpx": ("hwpx", "\n".join([
                "2025년 1분기 민원 처리 현황",
                "| 분야 | 접수 | 처리 | 평균 처리일",
                "| 교통 | 1,842 | 1,790 | 4.2",
                "| 환경 | 963 | 951 | 5.1",
                "| 복지 | 1,120 | 1,117 | 3.8",
                "○ 반복 민원은 전담 창구에서 통합 처리",
            ])),
            "민원인 명단.hwpx": ("hwpx", "민원인 명단 (비공개)\n"
                                     "추예린(가명) 대구 수성구 범어동 101-12, 010-6671-0302\n"
                                     "빈도현(가명) 대구 달서구 월성동 55, 010-2284-9915"),
        },
    ),
    (
        {
            "id": "MOLIT-2025-1024", "title": "소규모주택정비사업 추진실적 제출 요청",
            "kind": "공문", "agency": "국토교통부", "department": "주택정책관 도심주택공급협력과",
            "doc_number": "도심주택공급협력과-5521", "produced": "2025-10-24", "retention": "5y",
            "classification": ["국토", "주택", "주택정비"],
            "licences": ["KOGL-4"],
            "attachments": [{"file": "추진실적 제출 요청.hwpx", "disclosure": "public"}],
        },
        {
            "추진실적 제출 요청.hwpx": ("hwpx", "\n".join([
                "소규모주택정비사업 추진실적 제출 요청",
                "1. 관련: 빈집 및 소규모주택 정비에 관한 특례법",
                "2. 시·도에서는 2025년 3분기 가로주택정비사업, 자율주택정비사업, 소규모재건축사업 추진실적을",
                "붙임 서식에 따라 11월 7일까지 제출하여 주시기 바랍니다.",
            ])),
        },
    ),
    (
        {
            "id": "D0000031977210", "title": "서울시 위원회제도 혁신에 관한 정책 권고안",
            "kind": "보고서", "agency": "서울특별시", "department": "서울혁신기획관 민관협력담당관",
            "doc_number": "민관협력담당관-118", "produced": "2017-11-30", "approved": "2017-12-01",
            "retention": "10y",
            "classification": ADMIN,
            "licences": ["KOGL-4", "CC-BY-ND-3.0"],
            "summary": "진단과 권고 분과가 11개월 동안 논의하여 만든 **위원회 제도** 혁신 권고안.",
            "attachments": [{"file": "정책 권고안.md", "disclosure": "public"}],
        },
        {
            "정책 권고안.md": ("md", "# 서울시 위원회제도 혁신에 관한 정책 권고안\n\n"
                                 "1. 위원회 구성의 다양성: 여성 위원 비율을 40%까지 높인다.\n"
                                 "2. 위원회 간 협의체를 만들어 소통을 강화한다.\n"
                                 "3. 시민위원회학교를 열어 시민 위원의 역량을 키운다.\n"
                                 "4. 회의록 공개를 원칙으로 하고, 비공개 사유는 구체적으로 적는다.\n"),
        },
    ),
    (
        {
            "id": "GJ-HR-2019-12", "title": "2019년 제12차 인사위원회 회의 결과",
            "kind": "회의록", "agency": "광주광역시", "department": "자치행정국 총무과",
            "doc_number": "총무과-9930", "produced": "2019-12-20", "retention": "permanent",
            "classification": ["행정", "인사", "인사위원회"],
            "licences": ["KOGL-1"],
            "attachments": [{"file": "인사위원회 결과.hwpx", "disclosure": "withheld", "grounds": [5, 6]}],
            "withheld_grounds": [5, 6],
            "disclosure": "withheld",
        },
        {
            "인사위원회 결과.hwpx": ("hwpx", "인사위원회 결과 (비공개)\n"
                                        "징계 의결: 6급 봉태산(가명) 견책, 7급 소하윤(가명) 불문경고\n"
                                        "승진 심사 대상자 순위표 첨부"),
        },
    ),
    (
        {
            "id": "MCST-2023-FEST-22", "title": "2023년 문화관광축제 지원사업 선정 결과",
            "kind": "보도자료", "agency": "문화체육관광부", "department": "관광정책국 국내관광진흥과",
            "doc_number": "국내관광진흥과-2208", "produced": "2023-12-22", "retention": "10y",
            "classification": ["문화", "관광", "지역축제"],
            "licences": ["KOGL-1"],
            "attachments": [{"file": "선정 결과.txt", "disclosure": "public"}],
        },
        {
            "선정 결과.txt": ("txt", "2023년 문화관광축제 지원사업 선정 결과\n"
                                "문화체육관광부는 2024-2025년 문화관광축제 31개를 선정하였다.\n"
                                "선정 축제는 국비 지원과 함께 국내외 홍보, 컨설팅을 받는다.\n"
                                "대표 축제: 보령머드축제, 진주남강유등축제, 화천산천어축제\n"),
        },
    ),
    (
        # a scan (issue 16): a stamped notice sent as a picture, no text layer; `flask ocr` reads it
        {
            "id": "D0000036208815", "title": "망원동 도깨비시장 주차장 조성 주민설명회 개최 공고 (스캔본)",
            "kind": "공고", "agency": "서울특별시 마포구", "department": "교통행정과",
            "doc_number": "교통행정과-4471", "produced": "2020-06-08", "retention": "5y",
            "classification": ["교통", "주차", "공영주차장"],
            "licences": ["KOGL-1"],
            "summary": "공고문 원본을 스캔한 그림 파일입니다. 글자는 광학 문자 인식(OCR)으로 읽습니다.",
            "attachments": [{"file": "주민설명회 공고(직인).png", "disclosure": "public", "title": "공고문 스캔본"}],
            "disclosure": "public",
        },
        {
            "주민설명회 공고(직인).png": ("scan", "\n".join([
                "마포구 공고 제2020-471호",
                "망원동 도깨비시장 공영주차장 조성 주민설명회 개최 공고",
                "1. 일시: 2020년 6월 18일(목) 19:00",
                "2. 장소: 망원2동 주민센터 3층 대회의실",
                "3. 내용: 주차장 위치, 규모(지하 2층 120면), 공사 기간 안내",
                "주민 여러분의 많은 참석을 바랍니다.",
                "마포구청장 (직인생략)",
            ])),
        },
    ),
]
