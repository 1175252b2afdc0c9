"""Hypothesis strategies for whole input files a crawl or a user can produce, and their writers.

Each strategy draws a *spec* (a frozen dataclass: plain data, readable in a falsifying example,
usable in `@example`), and `spec.write(directory)` turns it into a file, returning `Written`: the
path and what an independent reader knows about it (how many records were written, which of them
are clearly valid documents that must reach the shards, whether all ids are distinct).

Formats: WARC (written with warcio's WARCWriter, then laid out as one gzip member per record, one
gzip stream, or uncompressed), WET (conversion records, the same layouts), ARC (written by hand:
`filedesc://` header, then `URL IP-address Archive-date Content-type Archive-length` lines), JSONL
(plain, .gz, .zst) and Parquet. Every field a crawl or a user controls is hostile at times. Sizes
stay at a few KB so that one pipeline run over a handful of files takes about a second.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import re
import uuid
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import zstandard
from hypothesis import strategies as st

try:
    import brotli  # warcio decodes Content-Encoding: br with it
except ImportError:  # pragma: no cover - then no page is sent as br
    brotli = None
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

# ---------------------------------------------------------------------------------------------
# What an independent reader knows about a written file


@dataclass
class Written:
    path: Path
    kind: str
    # Records in the file, counted by the writer: exact when the file is well formed (damage-free),
    # else the bounds an independent reader can give (records before the first damage, and every
    # record plus one booked error per damaged spot).
    min_records: int
    max_records: int
    # Clearly valid documents: each must reach the shards when language ID, filters and dedup are
    # off. ("id", s): some shard id contains s (a UUID or a JSONL/Parquet id); ("url", s): a url.
    valid: list[tuple[str, str]] = field(default_factory=list)
    # A key per record that two records share whenever they could get the same document id (the
    # record id, else what a content hash is made of), erring towards sharing; None when ids cannot
    # be predicted. Distinct keys over all inputs of a run: no id may repeat in the shards.
    id_keys: list | None = None

    @property
    def exact(self) -> bool:
        return self.min_records == self.max_records


# ---------------------------------------------------------------------------------------------
# Text in several scripts, and the legacy charsets each can be written in

SENTENCES = {
    "en": [
        "The river runs past the old mill where the children watch the boats.",
        "Every morning the baker opens his shop before the sun comes up.",
        "Our small town has a library, two schools and a market on Saturdays.",
        "She wrote a long letter to her brother who lives across the sea.",
        "The museum shows paintings that were found in an attic last year.",
        "Farmers in the valley grow apples, pears and a little wheat.",
    ],
    "de": [
        "Der Fluss fließt an der alten Mühle vorbei, wo die Kinder die Boote beobachten.",
        "Jeden Morgen öffnet der Bäcker seinen Laden, bevor die Sonne aufgeht.",
        "Unsere kleine Stadt hat eine Bibliothek, zwei Schulen und einen Markt.",
        "Sie schrieb ihrem Bruder, der jenseits des Meeres wohnt, einen langen Brief.",
    ],
    "ru": [
        "Река течёт мимо старой мельницы, где дети смотрят на лодки.",
        "Каждое утро пекарь открывает свою лавку ещё до восхода солнца.",
        "В нашем маленьком городе есть библиотека, две школы и рынок.",
        "Она написала длинное письмо брату, который живёт за морем.",
    ],
    "el": [
        "Το ποτάμι κυλά δίπλα στον παλιό μύλο όπου τα παιδιά κοιτάζουν τις βάρκες.",
        "Κάθε πρωί ο φούρναρης ανοίγει το μαγαζί του πριν βγει ο ήλιος.",
        "Η μικρή μας πόλη έχει μια βιβλιοθήκη, δύο σχολεία και μια αγορά.",
    ],
    "zh": [
        "河水流过老磨坊，孩子们在那里看着船只。",
        "每天早上，面包师在太阳升起之前就打开他的店铺。",
        "我们的小镇有一个图书馆、两所学校和一个周六集市。",
        "她给住在大海另一边的哥哥写了一封长信。",
    ],
    "ja": [
        "川は古い水車小屋のそばを流れ、子どもたちが船を眺めています。",
        "毎朝、パン屋は日が昇る前に店を開けます。",
        "私たちの小さな町には図書館と二つの学校と市場があります。",
    ],
    "ar": [
        "يجري النهر بجانب الطاحونة القديمة حيث يشاهد الأطفال القوارب.",
        "كل صباح يفتح الخباز متجره قبل شروق الشمس.",
        "في بلدتنا الصغيرة مكتبة ومدرستان وسوق يوم السبت.",
    ],
    "he": [
        "הנהר זורם ליד הטחנה הישנה שבה הילדים מסתכלים על הסירות.",
        "בכל בוקר האופה פותח את החנות שלו לפני הזריחה.",
    ],
    "hi": [
        "नदी पुरानी चक्की के पास से बहती है जहाँ बच्चे नावें देखते हैं।",
        "हर सुबह नानबाई सूरज उगने से पहले अपनी दुकान खोलता है।",
    ],
    "th": [
        "แม่น้ำไหลผ่านโรงสีเก่าที่เด็ก ๆ ดูเรือ",
        "ทุกเช้าคนทำขนมปังเปิดร้านก่อนพระอาทิตย์ขึ้น",
    ],
    "ko": [
        "강은 아이들이 배를 구경하는 오래된 방앗간 옆을 흐릅니다.",
        "매일 아침 제빵사는 해가 뜨기 전에 가게 문을 엽니다.",
    ],
}
# Charsets that can encode each language's sentences (utf-8 is always possible).
CHARSETS = {
    "en": ["utf-8", "us-ascii", "iso-8859-1", "windows-1252", "utf-16"],
    "de": ["utf-8", "iso-8859-1", "windows-1252", "iso-8859-15"],
    "ru": ["utf-8", "windows-1251", "koi8-r", "iso-8859-5"],
    "el": ["utf-8", "iso-8859-7", "windows-1253"],
    "zh": ["utf-8", "gb18030", "gbk"],
    "ja": ["utf-8", "shift_jis", "euc-jp"],
    "ar": ["utf-8", "windows-1256"],
    "he": ["utf-8", "windows-1255"],
    "hi": ["utf-8"],
    "th": ["utf-8", "tis-620"],
    "ko": ["utf-8", "euc-kr"],
}
LANGS = sorted(SENTENCES)


@st.composite
def paragraphs(draw, lang: str | None = None) -> tuple[str, tuple[tuple[int, ...], ...]]:
    """(language, paragraphs as indexes of its sentences): three to five paragraphs of two or more
    real sentences each, text that is clearly a document."""
    lang = lang or draw(st.sampled_from(LANGS))
    count = len(SENTENCES[lang])
    paras = tuple(
        tuple(draw(st.permutations(range(count)))[: draw(st.integers(2, count))])
        for _ in range(draw(st.integers(3, 5)))
    )
    return lang, paras


def paragraph_texts(lang: str, paras: tuple[tuple[int, ...], ...]) -> list[str]:
    return [" ".join(SENTENCES[lang][i] for i in para) for para in paras]


def document_texts() -> st.SearchStrategy[str]:
    """A document's plain text: paragraphs of real sentences."""
    return paragraphs().map(lambda p: "\n\n".join(paragraph_texts(*p)))


def html_page(title: str, paras: list[str], head: str = "") -> str:
    body = "".join(f"<p>{p}</p>\n" for p in paras)
    return (
        f"<!DOCTYPE html>\n<html><head>{head}<title>{title}</title></head>\n"
        f"<body><article><h1>{title}</h1>\n{body}</article></body></html>\n"
    )


@dataclass(frozen=True)
class Page:
    """An HTML page of real sentences, made when the file is written (so that a falsifying example
    shows its recipe, not kilobytes of bytes)."""

    lang: str
    paras: tuple[tuple[int, ...], ...]  # indexes into SENTENCES[lang], per paragraph
    charset: str = "utf-8"  # how the page is encoded
    meta: str | None = None  # the charset a <meta> tag declares (the right one, or a lie)
    title: str = "Page"
    cut: int | None = None  # only the first `cut` bytes
    nul_at: int | None = None  # NUL bytes inserted at this offset
    bom: bool = False  # a UTF-8 byte order mark first
    encoding: str | None = None  # the HTTP body as sent: gzip, deflate, br (Content-Encoding) or chunked
    plain: bool = False  # plain text (a WET conversion record), not HTML

    def html(self) -> bytes:
        head = f'<meta charset="{self.meta}">' if self.meta else ""
        paras = paragraph_texts(self.lang, self.paras)
        page = "\n".join(paras) if self.plain else html_page(self.title, paras, head)
        data = page.encode(self.charset, "replace")
        if self.bom:
            data = b"\xef\xbb\xbf" + data
        if self.nul_at is not None:
            at = min(self.nul_at, len(data))
            data = data[:at] + b"\x00" * 20 + data[at:]
        if self.cut is not None:
            data = data[: self.cut]
        if self.encoding == "gzip":
            data = gzip.compress(data, mtime=0)
        elif self.encoding == "deflate":
            data = zlib.compress(data)
        elif self.encoding == "br":
            data = brotli.compress(data)
        elif self.encoding == "chunked":
            size = max(1, len(data) // 3)
            chunks = [data[i : i + size] for i in range(0, len(data), size)]
            data = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"
        return data


def body_bytes(body: bytes | Page) -> bytes:
    return body.html() if isinstance(body, Page) else body


# ---------------------------------------------------------------------------------------------
# Hostile field values

URLS_HOSTILE = [
    "",
    " ",
    "http://[::1",
    "http://[::1]:80/x",
    "http://[fe80::1%25eth0]/",
    "http://exa mple.com/a b",
    "http://a.example:99999/",
    "http://a.example:-1/",
    "http://a.example:port/",
    "http://a.example:0/",
    "a.example/no/scheme",
    "//a.example/scheme-relative",
    "http://münchen.example/straße?q=ü",
    "http://例子.测试/路径",
    "http://xn--/",
    "http://.example/",
    "http://a..example/",
    "http://user:pa@ss@a.example/",
    "javascript:alert(1)",
    "mailto:someone@a.example",
    "http://",
    "http:///path",
    "file:///etc/passwd",
    "http://a.example/%zz%",
    "http://1.2.3.4.5/",
    "http://256.256.256.256/",
    "<http://bracketed.example/>",
    "http://a.example/" + "a" * 3000,
    "http://" + "sub." * 60 + "example.com/",
    "http://a.example/\x00nul",
    "http://a.example/\tTab",
    "HTTP://UPPER.EXAMPLE/",
    "http://a.example/../../etc",
    "http://a.example/?q=" + "%" * 50,
    "\u202ehttp://rtl.example/",
    "http://a.example/\ufffd",
    "http://[",
    "http://]",
    "http://a.example:80:80/",
    "ftp://a.example/file",
    "data:text/html,<p>x</p>",
]
URL_HOSTS = st.sampled_from(
    [
        "a.example",
        "b.example.co.uk",
        "localhost",
        "127.0.0.1",
        "[::1]",
        "xn--bcher-kva.example",
        "例子.中国",
        "",
    ]
)
URL_TEXT = st.text(st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=40)


@st.composite
def composed_url(draw) -> str:
    scheme = draw(st.sampled_from(["http://", "https://", "", "HTTP://", "ws://", "http:"]))
    port = draw(st.sampled_from(["", "", ":80", ":8080", ":0", ":65536", ":abc", ":"]))
    return scheme + draw(URL_HOSTS) + port + "/" + draw(URL_TEXT)


HTTP_SCHEMES = ["http://", "https://", "HTTP://", "Https://"]


@st.composite
def http_url(draw) -> str:
    """An http(s) URL whose host, port or path can be odd (the scheme in any case)."""
    scheme = draw(st.sampled_from(HTTP_SCHEMES))
    port = draw(st.sampled_from(["", "", ":80", ":8080", ":0", ":65536", ":abc", ":"]))
    return scheme + draw(URL_HOSTS) + port + "/" + draw(URL_TEXT)


def http_urls() -> st.SearchStrategy[str]:
    plain = st.integers(0, 10**6).map(lambda i: f"http://site{i % 97}.example/page/{i}")
    return st.one_of(plain, plain, http_url())


def urls() -> st.SearchStrategy[str]:
    """What a WARC-Target-URI / url field can hold (one header line: no CR or LF)."""
    plain = st.integers(0, 10**6).map(lambda i: f"http://site{i % 97}.example/page/{i}")
    return st.one_of(plain, plain, st.sampled_from(URLS_HOSTILE), composed_url())


def record_ids() -> st.SearchStrategy[str | None]:
    """Hostile WARC-Record-IDs (a valid unique one is made by `unique_record_id`)."""
    return st.one_of(
        st.none(),  # header left out
        st.sampled_from(
            [
                "",
                "<>",
                "<urn:uuid:00000000-0000-0000-0000-000000000000>",  # repeated across records
                "urn:uuid:no-brackets",
                "<urn:uuid:" + "f" * 5000 + ">",
                "<urn:日本:ü>",
                "<  spaced id  >",
                "h:0123456789abcdef0123456789abcdef",  # looks like curate's content hashes
                "damaged@0",
                "line@1",
                "<<<>>>",
                "\x7f\x01",
            ]
        ),
        st.text(st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=30),
    )


def unique_record_id(n: int, salt: int) -> tuple[str, str]:
    """A well-formed WARC-Record-ID, distinct per n: (header value, the UUID to look for)."""
    value = str(uuid.UUID(int=(salt * 1_000_003 + n * 7919 + 1) % (1 << 128)))
    return f"<urn:uuid:{value}>", value


OVERFLOWING_DATE = "9999-12-31T23:59:59-01:00"  # a valid ISO date whose UTC time is past year 9999
VALID_DATES = ["2024-01-02T03:04:05Z", "2023-06-30T23:59:59Z", "2019-03-04T05:06:07.123456Z"]
DATES_HOSTILE = [
    None,  # header left out
    "",
    OVERFLOWING_DATE,
    "0001-01-01T00:00:00+01:00",  # underflows when converted to UTC
    "9999-12-31T23:59:59Z",
    "0000-00-00T00:00:00Z",
    "2024-13-45T99:99:99Z",
    "yesterday",
    "2024-01-02",
    "20240102030405",
    "2024-01-02T03:04:05.123456789Z",
    "+002024-01-02T03:04:05Z",
    "9" * 100,
    "2024-01-02T03:04:05+25:00",
    "-2024-01-02T03:04:05Z",
    "2024-01-02T03:04:05Z\x00",
    "２０２４-01-02T03:04:05Z",
]


def dates() -> st.SearchStrategy[str | None]:
    return st.one_of(st.sampled_from(VALID_DATES), st.sampled_from(DATES_HOSTILE))


STATUS_LINES = [
    "HTTP/1.1 200 OK",
    "HTTP/1.0 200",
    "HTTP/1.1 2OO OK",
    "HTTP/1.1 404 Not Found",
    "HTTP/1.1 301 Moved",
    "HTTP/1.1 500 Server Error",
    "HTTP/1.1 999 Weird",
    "HTTP/1.1 -1 Negative",
    "HTTP/1.1 99999999999999999999999 Huge",
    "HTTP/1.1 ２００ OK",
    "HTTP/2 200",
    "HTTP/1.1",
    "HTTP/1.1 ",
    "ICY 200 OK",
    "200 OK",
    "OK",
    "",
    "HTTP/1.1 200 OK\x00",
]
CONTENT_TYPES_HOSTILE = [
    None,  # header left out
    "",
    "text/html",
    "TEXT/HTML",
    "text/html; charset=utf-7",
    "text/html; charset=klingon",
    "text/html; charset=" + "x" * 3000,
    "text/html; charset=",
    'text/html; charset="',
    "text/html;;;charset==utf-8",
    "text/html; charset=undefined",
    "text/html; charset=rot13",
    "text/html; charset=base64",
    "text/html; charset=zlib",
    "text/html; charset=idna",
    "text/html; charset=utf-16",
    "text/html; charset=utf-32",
    "text/html; charset=unicode_escape",
    "text/html; charset=x-user-defined",
    "text/html; charset=../../etc",
    "application/xhtml+xml",
    "application/octet-stream",
    "text/plain",
    "image/png",
    "unknown/unknown",
    "text/" + "h" * 4000,
    "text/html\x00",
    "テキスト/html",
]
# Wrong charset labels on UTF-8 pages: unknown names, codecs that are not text encodings, ASCII.
CHARSET_LIES = [
    "klingon",
    "ascii",
    "rot13",
    "base64",
    "hex",
    "zlib",
    "undefined",
    "idna",
    "utf-7",
    "x-user-defined",
]
CONTENT_ENCODINGS = [None, "gzip", "deflate", "br", "identity", "x-gzip", "gzip, gzip", "zstd", "compress"]
TRANSFER_ENCODINGS = [None, "chunked", "gzip", "chunked, chunked", "bogus"]


def deep_nesting(depth: int, tag: str = "div") -> bytes:
    return (f"<html><body>{f'<{tag}>' * depth}<p>deep text.</p>{f'</{tag}>' * depth}</body></html>").encode()


@st.composite
def hostile_bodies(draw) -> bytes | Page:
    """Payloads of records that are not clearly valid documents."""
    kind = draw(
        st.sampled_from(
            [
                "binary",
                "empty",
                "space",
                "nested",
                "nul",
                "html",
                "mislabelled",
                "truncated",
                "text",
                "bom",
                "markup",
            ]
        )
    )
    if kind == "binary":
        return draw(st.binary(max_size=1500))
    if kind == "empty":
        return b""
    if kind == "space":
        return draw(st.sampled_from([b" ", b"\r\n\r\n", b"\t \n", b"\x00"]))
    if kind == "nested":
        return deep_nesting(
            draw(st.integers(50, 2500)), draw(st.sampled_from(["div", "span", "table", "b", "x"]))
        )
    if kind == "markup":
        return draw(st.sampled_from(ODD_MARKUP))
    if kind == "text":
        return draw(st.text(max_size=300)).encode("utf-8")
    lang, paras = draw(paragraphs())
    page = Page(lang, paras)
    if kind == "nul":
        return replace(page, nul_at=draw(st.integers(0, 2000)))
    if kind == "html":  # a legacy charset, declared nowhere
        return replace(page, charset=draw(st.sampled_from(CHARSETS[lang])))
    if kind == "mislabelled":
        return replace(
            page, meta=draw(st.sampled_from(["utf-7", "shift_jis", "bogus", "utf-16", "undefined", "rot13"]))
        )
    if kind == "truncated":
        return replace(page, cut=draw(st.integers(1, 1500)))
    return draw(
        st.sampled_from(
            [replace(page, bom=True), replace(page, charset="utf-16"), replace(page, charset="utf-32")]
        )
    )


ODD_MARKUP = [
    b"<script>" + b"var x = 1;" * 100 + b"</script>",
    b"<html><head><style>p{}</style></head></html>",
    b"<!-- " + b"-" * 500 + b" -->",
    b"<![CDATA[ x ]]><p>after",
    b"<p " + b"a=b " * 400 + b">x</p>",
    b"<" * 2000,
    b"</p>" * 1000,
    b"<html><body>&#0;&#xD800;&#x110000;&nbsp;&bogus;</body></html>",
    b"<meta http-equiv='refresh' content='0;url=x'>",
]


def header_value() -> st.SearchStrategy[str]:
    return st.text(st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=50)


# ---------------------------------------------------------------------------------------------
# WARC and WET


@dataclass(frozen=True)
class WarcRecord:
    """One record. None for a header means the header is left out."""

    type: str | None = "response"
    url: str | None = "http://a.example/"
    record_id: str | None = None
    date: str | None = "2024-01-02T03:04:05Z"
    status_line: str | None = "HTTP/1.1 200 OK"  # None: the block has no HTTP header section
    http_headers: tuple[tuple[str, str], ...] = (("Content-Type", "text/html"),)
    body: bytes | Page = b""
    extra_headers: tuple[tuple[str, str], ...] = ()
    length: str | int = 0  # an int: added to the true Content-Length; a str: the header's value
    drop_length: bool = False  # no Content-Length header at all
    garbage_after: bytes = b""  # bytes after this record, before the next one
    garbage_compressed: bool = False  # per-member layout: the garbage in a gzip member of its own
    valid_uuid: str | None = None  # a clearly valid document: its id holds this UUID

    @property
    def length_damaged(self) -> bool:
        return self.drop_length or self.length != 0

    @property
    def garbage_damages(self) -> bool:
        """Garbage that is not only blank lines (which a reader skips between records)."""
        return bool(self.garbage_after.strip(b"\r\n"))


def _block(record: WarcRecord) -> bytes:
    body = body_bytes(record.body)
    if record.status_line is None:
        return body
    head = record.status_line + "\r\n" + "".join(f"{n}: {v}\r\n" for n, v in record.http_headers) + "\r\n"
    return head.encode("utf-8") + body


WARC_CONTENT_TYPES = {
    "response": "application/http; msgtype=response",
    "request": "application/http; msgtype=request",
    "conversion": "text/plain",
    "warcinfo": "application/warc-fields",
    "metadata": "application/warc-fields",
}


def warc_record_bytes(record: WarcRecord, version: str = "WARC/1.0") -> bytes:
    """The uncompressed record, written by warcio's WARCWriter, then with the damage applied."""
    headers = []
    for name, value in (
        ("WARC-Type", record.type),
        ("WARC-Record-ID", record.record_id),
        ("WARC-Date", record.date),
        ("WARC-Target-URI", record.url),
    ):
        if value is not None:
            headers.append((name, value))
    headers.extend(record.extra_headers)
    block = _block(record)
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False, warc_version=version)
    warc_record = writer.create_warc_record(
        record.url or "",
        "resource",  # warcio writes the block as given; the WARC-Type header says what it is
        payload=io.BytesIO(block),
        length=len(block),
        warc_headers=StatusAndHeaders("", headers, protocol=version),
        warc_content_type=WARC_CONTENT_TYPES.get(record.type or "", "application/octet-stream"),
    )
    writer.write_record(warc_record)
    data = buffer.getvalue()
    head_end = data.index(b"\r\n\r\n")
    head, rest = data[:head_end], data[head_end:]
    if record.drop_length:
        head = re.sub(rb"\r\nContent-Length: \d+", b"", head, count=1)
    elif isinstance(record.length, str):
        head = re.sub(
            rb"(\r\nContent-Length: )\d+", lambda m: m.group(1) + record.length.encode(), head, count=1
        )
    elif record.length:
        true_length = len(block)
        head = head.replace(
            b"Content-Length: %d" % true_length,
            b"Content-Length: %d" % max(0, true_length + record.length),
            1,
        )
    return head + rest


@dataclass(frozen=True)
class WarcFile:
    records: tuple[WarcRecord, ...]
    layout: str = "members"  # members (one gzip member per record), stream (one gzip stream), plain
    kind: str = "warc"  # warc or wet (conversion records)
    version: str = "WARC/1.0"

    def write(self, directory: Path, name: str) -> Written:
        suffix = {"members": ".gz", "stream": ".gz", "plain": ""}[self.layout]
        path = directory / f"{name}.{self.kind}{suffix}"
        raw = [warc_record_bytes(r, self.version) for r in self.records]
        if self.layout == "members":
            parts = []
            for record, data in zip(self.records, raw):
                parts.append(gzip.compress(data, mtime=0))
                if record.garbage_after:
                    garbage = record.garbage_after
                    parts.append(gzip.compress(garbage, mtime=0) if record.garbage_compressed else garbage)
            path.write_bytes(b"".join(parts))
        else:
            data = b"".join(d + r.garbage_after for r, d in zip(self.records, raw))
            path.write_bytes(gzip.compress(data, mtime=0) if self.layout == "stream" else data)
        low, high = self._bounds()
        return Written(path, self.kind, low, high, self._valid(), self._id_keys())

    def _damage_spots(self) -> list[float]:
        """Where the file is damaged: i for record i's own bytes (a wrong or missing length),
        i + 0.5 for garbage after record i. Between gzip members any garbage is damage; inside a
        stream, blank lines between records are not."""
        spots: list[float] = []
        for i, r in enumerate(self.records):
            if r.length_damaged:
                spots.append(i)
            if r.garbage_after and (self.layout == "members" or r.garbage_damages):
                spots.append(i + 0.5)
        return spots

    def _bounds(self) -> tuple[int, int]:
        n = len(self.records)
        spots = self._damage_spots()
        if not spots:
            return n, n
        if self.layout == "members":
            # Each record is a gzip member of its own: the reader resumes at the next whole member,
            # so every record is read, plus at most one booked error per damaged spot.
            return n, n + len(spots)
        # Records before the first damage are read; after it, a stream cannot be resynchronised.
        return int(spots[0] + 0.5), n + len(spots)

    def _valid(self) -> list[tuple[str, str]]:
        spots = self._damage_spots()
        return [
            ("id", r.valid_uuid)
            for i, r in enumerate(self.records)
            if r.valid_uuid is not None
            and not r.length_damaged
            and (self.layout == "members" or not spots or i < spots[0])
        ]

    def _id_keys(self) -> list:
        keys = []
        for r in self.records:
            explicit = (r.record_id or "").strip("<> \t")
            keys.append(("id", explicit) if explicit else ("content", r.url, r.body))
        return keys


# How a valid page's body is sent: as is, or with a Content-Encoding or Transfer-Encoding.
PAGE_ENCODINGS = [None, None, None, "gzip", "deflate", "chunked"] + (["br"] if brotli else [])


@st.composite
def valid_html_record(draw, n: int, salt: int) -> WarcRecord:
    """A clearly valid document: HTTP 200, text/html with a correct charset (in the header, a meta
    tag or both; UTF-8 may be undeclared), real sentences, a unique id, an http(s) URL (whose
    host, port or path may still be odd), sometimes gzip or chunked as sent."""
    lang, paras = draw(paragraphs())
    charset = draw(st.sampled_from(CHARSETS[lang]))
    where = draw(
        st.sampled_from(["header", "meta", "both"] + (["none", "lie"] if charset == "utf-8" else []))
    )
    if charset.startswith("utf-16"):
        where = "header"  # a meta tag cannot be found in UTF-16 bytes
    encoding = draw(st.sampled_from(PAGE_ENCODINGS))
    meta = charset if where in ("meta", "both") else None
    page = Page(lang, paras, charset, meta, f"Page {n}", encoding=encoding)
    label = f"; charset={charset}" if where in ("header", "both") else ""
    if where == "lie":  # UTF-8 under a wrong label: README, "mislabelled UTF-8 is not turned into mojibake"
        label = f"; charset={draw(st.sampled_from(CHARSET_LIES))}"
    headers = [("Content-Type", "text/html" + label)]
    if encoding == "chunked":
        headers.append(("Transfer-Encoding", "chunked"))
    elif encoding:
        headers.append(("Content-Encoding", encoding))
    rid, value = unique_record_id(n, salt)
    return WarcRecord(
        type="response",
        url=draw(http_urls()),
        record_id=rid,
        date=draw(st.sampled_from(VALID_DATES)),
        status_line=draw(st.sampled_from(["HTTP/1.1 200 OK", "HTTP/1.0 200 OK", "HTTP/1.1 200"])),
        http_headers=tuple(headers),
        body=page,
        valid_uuid=value,
    )


@st.composite
def hostile_warc_record(draw) -> WarcRecord:
    """Any record: each field drawn from its hostile values."""
    rec_type = draw(
        st.sampled_from(
            ["response"] * 4
            + [
                "request",
                "warcinfo",
                "metadata",
                "resource",
                "revisit",
                "conversion",
                "RESPONSE",
                "",
                "réponse",
            ]
            + [None]
        )
    )
    headers = []
    content_type = draw(st.sampled_from(CONTENT_TYPES_HOSTILE))
    if content_type is not None:
        headers.append(("Content-Type", content_type))
    encoding = draw(st.sampled_from(CONTENT_ENCODINGS))
    if encoding:
        headers.append(("Content-Encoding", encoding))  # mostly a lie: the body is not encoded
    transfer = draw(st.sampled_from(TRANSFER_ENCODINGS))
    if transfer:
        headers.append(("Transfer-Encoding", transfer))
    if draw(st.booleans()):
        headers.append(("Content-Length", draw(st.sampled_from(["0", "5", "-1", "abc", "99999999999", ""]))))
    if draw(st.integers(0, 5)) == 0:
        headers.append(
            (draw(st.sampled_from(["X-Junk", "Set-Cookie", "Location", "Bad Header"])), draw(header_value()))
        )
    return WarcRecord(
        type=rec_type,
        url=draw(st.one_of(st.none(), urls())),
        record_id=draw(record_ids()),
        date=draw(dates()),
        status_line=draw(st.one_of(st.sampled_from(STATUS_LINES), st.none())),
        http_headers=tuple(headers),
        body=draw(hostile_bodies()),
        extra_headers=tuple(
            draw(
                st.lists(
                    st.tuples(
                        st.sampled_from(
                            [
                                "WARC-Refers-To",
                                "WARC-Truncated",
                                "WARC-Identified-Payload-Type",
                                "WARC-IP-Address",
                            ]
                        ),
                        header_value(),
                    ),
                    max_size=2,
                )
            )
        ),
    )


GARBAGE_LINES = [
    b"\r\n",
    b"\r\n\r\n\r\n",
    b"garbage between records\r\n",
    b"not a warc record\n\n",
    b"WARC/1.0\r\n\r\n",
    b"\x00\x01\x02\xff\xfe\r\n",
    b"HTTP/1.1 200 OK\r\n\r\n<html>stray</html>\r\n",
    b'{"text": "json in a warc"}\n',
]


@st.composite
def damage(draw, record: WarcRecord, allow: bool) -> WarcRecord:
    """Sometimes a wrong Content-Length, or garbage after the record."""
    if not allow or draw(st.integers(0, 3)):
        return record
    kind = draw(st.sampled_from(["length", "length_text", "no_length", "garbage", "blank"]))
    if kind == "length":
        return _replace(record, length=draw(st.sampled_from([-30, -5, -1, 1, 7, 100, 5000])))
    if kind == "length_text":
        return _replace(
            record, length=draw(st.sampled_from(["abc", "-1", "", "99999999999999999999", "1e3", " 12"]))
        )
    if kind == "no_length":
        return _replace(record, drop_length=True)
    if kind == "blank":
        return _replace(record, garbage_after=draw(st.sampled_from([b"\r\n", b"\r\n\r\n", b"\n\n"])))
    garbage = draw(st.one_of(st.sampled_from(GARBAGE_LINES), st.binary(min_size=1, max_size=300)))
    if not garbage.strip(b"\r\n"):
        garbage = b"x" + garbage
    if garbage.startswith(b"\x1f\x8b"):
        garbage = b"x" + garbage  # never a gzip member of its own by chance
    return _replace(record, garbage_after=garbage, garbage_compressed=draw(st.booleans()))


def _replace(record, **changes):
    return replace(record, **changes)


# How the files are compressed: one gzip member per record (the WARC convention), one gzip
# stream for the whole file (some WET files), or not at all. Repeats weigh the draw.
WARC_LAYOUTS = ["members", "members", "stream", "plain"]
WET_LAYOUTS = ["members", "stream", "stream", "plain"]
ARC_LAYOUTS = ["members", "plain"]


@st.composite
def warc_files(draw, allow_damage: bool = True, max_records: int = 6) -> WarcFile:
    salt = draw(st.integers(0, 10**9))
    records = []
    if draw(st.booleans()):
        records.append(warcinfo_record(salt, b"software: curate-fuzz\r\nformat: WARC File Format 1.0\r\n"))
    for n in range(draw(st.integers(1, max_records))):
        if draw(st.booleans()):
            record = draw(valid_html_record(n, salt))
        else:
            record = draw(hostile_warc_record())
            if record.record_id == "" and draw(st.booleans()) and records:
                record = _replace(record, record_id=draw(st.sampled_from(records)).record_id)  # repeated
        records.append(draw(damage(record, allow_damage)))
    layout = draw(st.sampled_from(WARC_LAYOUTS))
    return WarcFile(tuple(records), layout, "warc", draw(st.sampled_from(["WARC/1.0", "WARC/1.1"])))


def warcinfo_record(salt: int, body: bytes) -> WarcRecord:
    """The file's leading warcinfo record, with an id no other record of the file has."""
    return WarcRecord(
        type="warcinfo",
        url=None,
        record_id=unique_record_id(999, salt)[0],
        status_line=None,
        http_headers=(),
        body=body,
    )


@st.composite
def wet_record(draw, n: int, salt: int) -> WarcRecord:
    if draw(st.booleans()):
        rid, value = unique_record_id(n, salt)
        return WarcRecord(
            type="conversion",
            url=draw(urls()),
            record_id=rid,
            date=draw(st.sampled_from(VALID_DATES)),
            status_line=None,
            http_headers=(),
            body=Page(*draw(paragraphs()), plain=True),
            extra_headers=(("WARC-Refers-To", unique_record_id(n + 500, salt)[0]),),
            valid_uuid=value,
        )
    body = draw(
        st.one_of(
            hostile_bodies(),
            st.text(max_size=400).map(lambda t: t.encode("utf-8")),
            st.sampled_from(
                [b"", b"   \n", b"\xff\xfe\xfd invalid utf-8", "\ud800".encode("utf-8", "surrogatepass")]
            ),
        )
    )
    return WarcRecord(
        type=draw(st.sampled_from(["conversion"] * 5 + ["warcinfo", "metadata", "response", None])),
        url=draw(st.one_of(st.none(), urls())),
        record_id=draw(record_ids()),
        date=draw(dates()),
        status_line=None,
        http_headers=(),
        body=body,
    )


@st.composite
def wet_files(draw, allow_damage: bool = True) -> WarcFile:
    salt = draw(st.integers(0, 10**9))
    records = [warcinfo_record(salt, b"software: curate-fuzz\r\n")]
    for n in range(draw(st.integers(1, 6))):
        records.append(draw(damage(draw(wet_record(n, salt)), allow_damage)))
    return WarcFile(tuple(records), draw(st.sampled_from(WET_LAYOUTS)), "wet")


# ---------------------------------------------------------------------------------------------
# ARC (version 1), written by hand


@dataclass(frozen=True)
class ArcRecord:
    url: str = "http://a.example/"
    ip: str = "1.2.3.4"
    date: str = "20240102030405"
    content_type: str = "text/html"
    http: str | None = "HTTP/1.0 200 OK\r\nContent-Type: text/html"  # status line + headers; None: bare body
    body: bytes | Page = b""
    length_delta: int = 0  # added to the true Archive-length
    valid_url: str | None = None  # a clearly valid document, found by its URL

    @property
    def block(self) -> bytes:
        head = (self.http + "\r\n\r\n").encode("utf-8") if self.http is not None else b""
        return head + body_bytes(self.body)


@dataclass(frozen=True)
class ArcFile:
    records: tuple[ArcRecord, ...]
    layout: str = "members"  # members or plain
    filedesc_name: str = "fuzz.arc"

    def write(self, directory: Path, name: str) -> Written:
        path = directory / f"{name}.arc{'.gz' if self.layout == 'members' else ''}"
        desc = b"1 0 curate-fuzz\nURL IP-address Archive-date Content-type Archive-length\n"
        header = f"filedesc://{self.filedesc_name} 0.0.0.0 20240102030405 text/plain {len(desc)}\n".encode()
        parts = [header + desc + b"\n"]
        for r in self.records:
            line = f"{r.url} {r.ip} {r.date} {r.content_type} {max(0, len(r.block) + r.length_delta)}\n"
            parts.append(line.encode("utf-8") + r.block + b"\n")
        if self.layout == "members":
            path.write_bytes(b"".join(gzip.compress(p, mtime=0) for p in parts))
        else:
            path.write_bytes(b"".join(parts))
        n = len(self.records) + 1  # the filedesc header is a record too
        damaged = [i for i, r in enumerate(self.records) if r.length_delta]
        if not damaged:
            low = high = n
        elif self.layout == "members":
            low, high = n, n + len(damaged)
        else:
            low, high = damaged[0] + 1, n + len(damaged)
        valid = [
            ("url", r.valid_url)
            for i, r in enumerate(self.records)
            if r.valid_url
            and not r.length_delta
            and (self.layout == "members" or not damaged or i < damaged[0])
        ]
        # ARC records get content hashes: records that share a URL or a block may share an id.
        urls_distinct = len({r.url for r in self.records}) == len(self.records)
        blocks_distinct = len({r.block for r in self.records}) == len(self.records)
        keys = [("arc", r.url) for r in self.records] if urls_distinct and blocks_distinct else None
        return Written(path, "arc", low, high, valid, keys)


ARC_URL = st.one_of(
    st.sampled_from([u for u in URLS_HOSTILE if u.strip() and "\x00" not in u]),
    st.integers(0, 10**6).map(lambda i: f"http://arc{i}.example/x"),
)


@st.composite
def arc_files(draw, allow_damage: bool = True) -> ArcFile:
    records = []
    for n in range(draw(st.integers(1, 6))):
        if draw(st.booleans()):
            url = f"http://arc-valid-{n}-{draw(st.integers(0, 10**6))}.example/page"
            page = Page(*draw(paragraphs()), title=f"Arc {n}")
            http = "HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8"
            records.append(ArcRecord(url=url, http=http, body=page, valid_url=url))
            continue
        status = draw(st.sampled_from([*STATUS_LINES, None]))
        content_type = draw(st.sampled_from([c for c in CONTENT_TYPES_HOSTILE if c] + ["-", "no-type"]))
        records.append(
            ArcRecord(
                url=draw(ARC_URL),
                ip=draw(st.sampled_from(["1.2.3.4", "0.0.0.0", "-", "999.1.1.1", "::1", "x"])),
                date=draw(
                    st.sampled_from(
                        ["20240102030405", "0", "99999999999999", "abc", "2024", "20241345999999"]
                    )
                ),
                content_type=draw(
                    st.sampled_from(["text/html", "-", "no-type", "image/png", "text/html;charset=klingon"])
                ),
                http=None if status is None else f"{status}\r\nContent-Type: {content_type}",
                body=draw(hostile_bodies()),
                length_delta=draw(st.sampled_from([0] * 8 + [-10, 3, 400])) if allow_damage else 0,
            )
        )
    return ArcFile(
        tuple(records),
        draw(st.sampled_from(ARC_LAYOUTS)),
        draw(st.sampled_from(["fuzz.arc", "x", "a b.arc", "ü.arc"])),
    )


# ---------------------------------------------------------------------------------------------
# JSONL

# A file written through one of these lands, if anywhere outside OUT, in an ancestor of OUT (or
# /tmp) under a name starting with ESCAPE_NAME, where property 4 looks for it.
ESCAPE_NAME = "curate-fuzz-escape"
LANG_ESCAPES = [f"{'../' * k}{ESCAPE_NAME}" for k in (2, 3, 4, 5, 6, 8)] + [f"/{'../' * 12}tmp/{ESCAPE_NAME}"]
LANG_VALUES = [
    "en",
    "de",
    "zh-Hans",
    "../../x",
    *LANG_ESCAPES,
    "en/sub",
    "en\\sub",
    "..",
    ".",
    "",
    " ",
    "\x00",
    "en\x00",
    "x" * 300,
    "lang=en",
    "*",
    "?",
    "a b",
    "🙂",
    "EN",
    "und",
    "C:\\x",
    "en\n",
]
SURROGATES = ["\ud800", "a\udfffb", "\udc80\udc81", "text \ud83d alone"]


def json_values() -> st.SearchStrategy:
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=20),
        st.sampled_from(SURROGATES),
    )
    return st.recursive(
        scalars,
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
        max_leaves=6,
    )


@dataclass(frozen=True)
class JsonRow:
    obj: dict


@dataclass(frozen=True)
class RawLine:
    data: bytes  # one line, no newline: garbage, a deeply nested document, a cut line


@dataclass(frozen=True)
class JsonlFile:
    lines: tuple[JsonRow | RawLine, ...]
    compression: str = "plain"  # plain, gz, zst
    ascii_only: bool = True  # json.dumps(ensure_ascii=...)
    blank_after: tuple[int, ...] = ()  # blank lines (not records) after these line indexes
    final_newline: bool = True

    def encode_line(self, line) -> bytes:
        if isinstance(line, RawLine):
            return line.data
        return json.dumps(line.obj, ensure_ascii=self.ascii_only).encode("utf-8", "surrogatepass")

    def write(self, directory: Path, name: str) -> Written:
        suffix = {"plain": ".jsonl", "gz": ".jsonl.gz", "zst": ".jsonl.zst"}[self.compression]
        path = directory / f"{name}{suffix}"
        out = []
        for i, line in enumerate(self.lines):
            out.append(self.encode_line(line) + b"\n")
            if i in self.blank_after:
                out.append(b" \t\r\n" if i % 2 else b"\n")
        data = b"".join(out)
        if not self.final_newline:
            data = data.rstrip(b"\n")
        if self.compression == "gz":
            data = gzip.compress(data, mtime=0)
        elif self.compression == "zst":
            data = zstandard.ZstdCompressor().compress(data)
        path.write_bytes(data)
        n = len(self.lines)  # every line written is one record; blank lines are none
        valid = [
            ("id", line.obj["id"])
            for line in self.lines
            if isinstance(line, JsonRow) and _valid_row(line.obj)
        ]
        rows = []
        for line in self.lines:
            if isinstance(line, JsonRow):
                rows.append(line.obj)
            else:
                with contextlib.suppress(ValueError, RecursionError):
                    rows.append(json.loads(line.data))
        return Written(path, "jsonl", n, n, valid, row_id_keys([r for r in rows if isinstance(r, dict)]))


VALID_MARK = "fuzz-valid-"


def _valid_row(obj: dict) -> bool:
    return isinstance(obj.get("id"), str) and obj["id"].startswith(VALID_MARK)


def row_id_keys(rows: list[dict]) -> list:
    """The id a row can get: its id field as text (1 and "1" alike), else its text (a hash)."""
    keys = []
    for row in rows:
        value = row.get("id")
        if value is None or value == "":
            keys.append(("content", repr(row.get("text"))))
        else:
            keys.append(("id", str(value).strip()))
    return keys


@st.composite
def valid_json_row(draw, n: int, salt: int, text: str | None = None) -> dict:
    if text is None:
        text = draw(document_texts())
    row = {"id": f"{VALID_MARK}{salt}-{n}", "text": text}
    if draw(st.booleans()):
        row["url"] = draw(urls())
    if draw(st.booleans()):
        row["date"] = draw(st.sampled_from(ROW_DATES))
    if draw(st.booleans()):
        row["lang"] = draw(st.sampled_from(LANG_VALUES))
    if draw(st.integers(0, 3)) == 0:
        row["metadata"] = {
            "url": draw(urls()),
            "warc_date": draw(st.sampled_from(VALID_DATES)),
            "language": "en",
        }
    return row


@st.composite
def hostile_json_row(draw, earlier_ids: list, text_pool: list[str] | None = None) -> dict:
    texts = [
        st.text(max_size=200),
        st.sampled_from(SURROGATES + ["", "   ", "\x00", "\x00" * 10, "a\x00b"]),
        json_values(),
        document_texts(),
    ]
    fields = {
        "text": st.one_of(*texts, *([st.sampled_from(text_pool)] * 4 if text_pool else [])),
        "id": st.one_of(
            json_values(),
            st.sampled_from(["", " ", "x" * 3000, "日本", "h:abc", "line@1", "damaged@0", "\ud800"]),
            st.sampled_from(earlier_ids or [None]),  # repeated ids
        ),
        "url": st.one_of(urls(), json_values()),
        "date": st.one_of(dates(), json_values()),
        "lang": st.one_of(st.sampled_from(LANG_VALUES), json_values()),
        "language": st.sampled_from(LANG_VALUES),
        "metadata": st.one_of(
            json_values(), st.fixed_dictionaries({"url": urls(), "language": st.sampled_from(LANG_VALUES)})
        ),
        "created": json_values(),
    }
    return {
        name: draw(strategy) for name, strategy in fields.items() if name == "text" or draw(st.integers(0, 2))
    }


RAW_LINE_KINDS = ["garbage", "deep", "deep_obj", "cut", "invalid_utf8", "not_object", "surrogate"]
ROW_DATES = [*VALID_DATES, OVERFLOWING_DATE]  # dates of otherwise valid JSONL rows


@st.composite
def raw_lines(draw) -> bytes:
    """Lines that are not a plain JSON object: garbage, deep nesting, a cut line, bad bytes."""
    kind = draw(st.sampled_from(RAW_LINE_KINDS))
    if kind == "garbage":
        return draw(st.binary(min_size=1, max_size=200)).replace(b"\n", b" ") + b"#"  # never blank
    if kind == "deep":
        depth = draw(st.sampled_from([100, 3000, 20000]))
        return b'{"text": "deep", "x": ' + b"[" * depth + b"]" * depth + b"}"
    if kind == "deep_obj":
        depth = draw(st.sampled_from([900, 3000, 20000]))
        return b'{"id": "d", "text": "deep object", "m": ' + b'{"a":' * depth + b"1" + b"}" * depth + b"}"
    if kind == "cut":
        return b'{"id": "cut", "text": "this line is cut o'
    if kind == "invalid_utf8":
        return b'{"id": "bad-bytes", "text": "caf\xe9 \xff\xfe"}'
    if kind == "not_object":
        return draw(st.sampled_from([b"[1, 2]", b'"a string"', b"42", b"null", b"true", b"[]"]))
    return b'{"id": "sb", "text": "' + "\ud800".encode("utf-8", "surrogatepass") + b' lone"}'


@st.composite
def jsonl_files(draw, text_pool: list[str] | None = None, max_lines: int = 8) -> JsonlFile:
    """Rows: clearly valid documents, rows with hostile fields, and lines that are not rows.
    With `text_pool`, texts (and sometimes ids) repeat: input for dedup."""
    salt = draw(st.integers(0, 10**9))
    lines: list[JsonRow | RawLine] = []
    ids: list = []
    for n in range(draw(st.integers(1, max_lines))):
        choice = 0 if n == 0 else draw(st.integers(0, 4))  # a first row: the file sniffs as JSONL
        if choice <= 1:
            text = draw(st.sampled_from(text_pool)) if text_pool else None
            lines.append(JsonRow(draw(valid_json_row(n, salt, text))))
        elif choice <= 3:
            lines.append(JsonRow(draw(hostile_json_row(ids, text_pool))))
        else:
            lines.append(RawLine(draw(raw_lines())))
        if isinstance(lines[-1], JsonRow) and "id" in lines[-1].obj:
            ids.append(lines[-1].obj["id"])
    return JsonlFile(
        tuple(lines),
        draw(st.sampled_from(["plain", "plain", "gz", "zst"])),
        ascii_only=draw(st.booleans()),
        blank_after=tuple(sorted(draw(st.sets(st.integers(0, len(lines) - 1), max_size=2)))),
        final_newline=draw(st.booleans()),
    )


# ---------------------------------------------------------------------------------------------
# Parquet rows of odd types


@dataclass(frozen=True)
class ParquetFile:
    columns: tuple[tuple[str, str, tuple], ...]  # (name, arrow type name, values)
    row_group_size: int = 2

    def table(self) -> pa.Table:
        return pa.table(
            {name: pa.array(list(values), type=ARROW_TYPES[kind]) for name, kind, values in self.columns}
        )

    def write(self, directory: Path, name: str) -> Written:
        path = directory / f"{name}.parquet"
        table = self.table()
        pq.write_table(table, path, row_group_size=self.row_group_size)
        valid = []
        columns = {name: (kind, values) for name, kind, values in self.columns}
        text_column, id_column = columns.get("text"), columns.get("id")
        if text_column and id_column and text_column[0] in STRING_TYPES and id_column[0] in STRING_TYPES:
            for doc_id in id_column[1]:
                if isinstance(doc_id, str) and doc_id.startswith(VALID_MARK):
                    valid.append(("id", doc_id))
        n = table.num_rows
        ids = id_column[1] if id_column else (None,) * n
        texts = text_column[1] if text_column else (None,) * n
        keys = row_id_keys([{"id": i, "text": t} for i, t in zip(ids, texts)])
        return Written(path, "parquet", n, n, valid, keys)


STRING_TYPES = ("string", "large_string", "dict_string")
ARROW_TYPES = {
    "string": pa.string(),
    "large_string": pa.large_string(),
    "dict_string": pa.dictionary(pa.int32(), pa.string()),
    "binary": pa.binary(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "null": pa.null(),
    "list_string": pa.list_(pa.string()),
    "struct": pa.struct([("a", pa.string()), ("b", pa.int32())]),
    "metadata": pa.struct([("url", pa.string()), ("language", pa.string()), ("warc_date", pa.string())]),
    "ts_s": pa.timestamp("s"),
    "ts_ms_utc": pa.timestamp("ms", tz="UTC"),
    "ts_us_tz": pa.timestamp("us", tz="+05:30"),
    "ts_ns": pa.timestamp("ns"),
    "ts_s_tz": pa.timestamp("s", tz="-01:00"),
    "date32": pa.date32(),
    "decimal": pa.decimal128(38, 2),
}
PARQUET_STRINGS = st.one_of(st.text(max_size=30), st.sampled_from(["", " ", "\x00", "x" * 2000]))


def _column_values(kind: str, n: int) -> st.SearchStrategy[tuple]:
    element = {
        "string": PARQUET_STRINGS,
        "large_string": PARQUET_STRINGS,
        "dict_string": st.sampled_from(["a", "b", "", "\x00"]),
        "binary": st.binary(max_size=40),
        "int64": st.integers(-(2**63), 2**63 - 1),
        "float64": st.floats(),
        "bool": st.booleans(),
        "null": st.none(),
        "list_string": st.lists(PARQUET_STRINGS, max_size=3),
        "struct": st.fixed_dictionaries({"a": PARQUET_STRINGS, "b": st.integers(-(2**31), 2**31 - 1)}),
        "metadata": st.fixed_dictionaries(
            {
                "url": urls(),
                "language": st.sampled_from(LANG_VALUES),
                "warc_date": st.one_of(st.sampled_from(VALID_DATES), dates().map(lambda d: d or "")),
            }
        ),
        # Raw integers in each unit: the whole range a Parquet writer accepts, years 1 to 9999 and beyond
        "ts_s": st.integers(-62135596800 - 86400, 253402300799 + 86400),
        "ts_ms_utc": st.integers(-62135596800000, 253402300799000),
        "ts_us_tz": st.integers(-62135596800000000, 253402300799000000),
        "ts_ns": st.integers(-(2**63) + 1, 2**63 - 1),
        "ts_s_tz": st.integers(-62135596800, 253402300799),
        "date32": st.integers(-719162, 2932896),
        "decimal": st.decimals(
            min_value=-(10**30), max_value=10**30, places=2, allow_nan=False, allow_infinity=False
        ),
    }[kind]
    return st.lists(st.one_of(st.none(), element) if kind != "null" else element, min_size=n, max_size=n).map(
        tuple
    )


OTHER_PARQUET_COLUMNS = (
    ("url", ["string", "binary", "int64", "dict_string"]),
    ("date", ["ts_s", "ts_ms_utc", "ts_us_tz", "ts_ns", "ts_s_tz", "date32", "string", "int64", "decimal"]),
    ("lang", ["string", "dict_string", "int64", "list_string", "struct"]),
    ("metadata", ["metadata", "struct", "string"]),
    ("crawl_date", ["ts_s", "string", "float64"]),
)


@st.composite
def parquet_files(draw, text_pool: list[str] | None = None) -> ParquetFile:
    """Columns of odd types (text as binary, ids as floats, timestamps at the ends of their
    range, languages as lists, ...); when text and id are strings, some rows are clearly valid
    documents (a few sentences, a unique id). With `text_pool`, texts and ids repeat."""
    n = draw(st.integers(0, 6))
    salt = draw(st.integers(0, 10**9))
    text_kind = draw(
        st.sampled_from(
            [
                "string",
                "string",
                "large_string",
                "dict_string",
                "binary",
                "int64",
                "list_string",
                "null",
                "struct",
            ]
        )
    )
    id_kind = draw(
        st.sampled_from(["string", "string", "large_string", "int64", "float64", "binary", "null", "bool"])
    )
    if text_kind in ("string", "large_string") and draw(st.integers(0, 3)):
        document = st.sampled_from(text_pool) if text_pool else document_texts()
        texts = tuple(
            draw(st.one_of(document, document, document, st.none(), PARQUET_STRINGS)) for _ in range(n)
        )
    else:
        texts = draw(_column_values(text_kind, n))
    if id_kind in ("string", "large_string") and draw(st.integers(0, 2)):
        ids = tuple(
            f"{VALID_MARK}{salt}-{i}"
            if isinstance(t, str) and len(t) > 100
            else draw(st.one_of(st.none(), PARQUET_STRINGS))
            for i, t in enumerate(texts)
        )
        if text_pool and n > 1 and draw(st.booleans()):
            ids = (ids[0],) * n  # one id for every row
    else:
        ids = draw(_column_values(id_kind, n))
    columns = []
    if draw(st.integers(0, 5)):
        columns.append(("text", text_kind, texts))
    if draw(st.integers(0, 4)):
        columns.append(("id", id_kind, ids))
    for name, kinds in OTHER_PARQUET_COLUMNS:
        if draw(st.booleans()):
            kind = draw(st.sampled_from(kinds))
            if name == "lang" and kind == "string":
                values = st.lists(st.one_of(st.none(), st.sampled_from(LANG_VALUES)), min_size=n, max_size=n)
            elif name == "url" and kind == "string":
                values = st.lists(st.one_of(st.none(), urls()), min_size=n, max_size=n)
            else:
                values = _column_values(kind, n)
            columns.append((name, kind, tuple(draw(values))))
    if not columns:
        columns.append(("other", "int64", draw(_column_values("int64", n))))
    return ParquetFile(tuple(columns), draw(st.sampled_from([1, 2, 1024])))


# ---------------------------------------------------------------------------------------------
# Any input


def any_files(allow_damage: bool = True) -> st.SearchStrategy:
    return st.one_of(
        warc_files(allow_damage),
        wet_files(allow_damage),
        arc_files(allow_damage),
        jsonl_files(),
        parquet_files(),
    )


@st.composite
def dedup_inputs(draw) -> list:
    """JSONL and Parquet files whose texts repeat exactly or nearly (one sentence added), across
    rows and files, some ids repeating too: input for `curate dedup`."""
    base = draw(st.lists(document_texts(), min_size=1, max_size=3))
    pool = base + [text + " And then there was one more sentence at the very end." for text in base]
    return draw(st.lists(st.one_of(jsonl_files(pool), parquet_files(pool)), min_size=1, max_size=3))


# ---------------------------------------------------------------------------------------------
# Minimal failing inputs the harness found (shrunk by hand or by hypothesis): each a list of file
# specs for one `curate run` with the reading layer only. tests/test_fuzz.py runs them all.


def page_record(n: int, **changes) -> WarcRecord:
    """A clearly valid response record (see valid_html_record), with `changes`."""
    rid, value = unique_record_id(n, 1)
    record = WarcRecord(
        type="response",
        url=f"http://a.example/{n}",
        record_id=rid,
        status_line="HTTP/1.1 200 OK",
        http_headers=(("Content-Type", "text/html; charset=utf-8"),),
        body=Page("en", ((0, 1, 2), (3, 4), (5, 0)), title=f"Page {n}"),
        valid_uuid=value,
    )
    return replace(record, **changes)


def arc_page_record(n: int, **changes) -> ArcRecord:
    url = f"http://arc-valid-{n}.example/page"
    record = ArcRecord(
        url=url,
        http="HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8",
        body=Page("en", ((0, 1, 2), (3, 4), (5, 0)), title=f"Arc {n}"),
        valid_url=url,
    )
    return replace(record, **changes)


def wet_text_record(n: int, **changes) -> WarcRecord:
    rid, value = unique_record_id(n, 2)
    record = WarcRecord(
        type="conversion",
        url=f"http://wet{n}.example/",
        record_id=rid,
        status_line=None,
        http_headers=(),
        body=Page("en", ((0, 1, 2), (3, 4)), plain=True),
        valid_uuid=value,
    )
    return replace(record, **changes)


def _row(**fields) -> JsonlFile:
    return JsonlFile((JsonRow({"id": "a", "text": "Hello there, this is a document.", **fields}),))


TWO_TEXTS = ("Hello there, this is a document.", "Another document is here.")
KNOWN_INPUTS: dict[str, list] = {
    # per-record gzip: the second resync reads a closed file, every later record is corrupt_record
    "warc_members_garbage_twice": [
        WarcFile(
            (
                page_record(0, garbage_after=b"garbage\r\n"),
                page_record(1, garbage_after=b"garbage\r\n"),
                page_record(2),
                page_record(3),
            ),
            "members",
        )
    ],
    # per-record gzip: a whole member whose record fails to parse is read again (booked twice)
    "warc_members_response_without_uri": [
        WarcFile((page_record(0), page_record(1, url=None, valid_uuid=None), page_record(2)), "members")
    ],
    # uncompressed: a record-level parse error ends the file
    "warc_response_without_uri": [
        WarcFile((page_record(0), page_record(1, url=None, valid_uuid=None), page_record(2)), "plain")
    ],
    "warc_status_2OO": [
        WarcFile(
            (page_record(0), page_record(1, status_line="HTTP/1.1 2OO OK", valid_uuid=None), page_record(2)),
            "plain",
        )
    ],
    "warc_response_without_http_headers": [
        WarcFile(
            (
                page_record(0),
                page_record(1, status_line=None, http_headers=(), valid_uuid=None),
                page_record(2),
            ),
            "plain",
        )
    ],
    "warc_date_overflows_in_utc": [WarcFile((page_record(0, date=OVERFLOWING_DATE),), "plain")],
    # valid pages lost
    "warc_uppercase_scheme": [WarcFile((page_record(0, url="HTTP://a.example/"),), "plain")],
    "warc_charset_label_rot13": [
        WarcFile((page_record(0, http_headers=(("Content-Type", "text/html; charset=rot13"),)),), "plain")
    ],
    "arc_status_2OO": [
        ArcFile(
            (
                arc_page_record(0),
                arc_page_record(1, http="HTTP/1.0 2OO OK\r\nContent-Type: text/html", valid_url=None),
                arc_page_record(2),
            ),
            "plain",
        )
    ],
    # an ARC record of an http URL whose block has no HTTP header section (the page alone)
    "arc_record_without_http_headers": [
        ArcFile(
            (arc_page_record(0), arc_page_record(1, http=None, valid_url=None), arc_page_record(2)), "plain"
        )
    ],
    # per-record gzip ARC: resync looks for WARC members only, so the records after an error are lost
    "arc_members_status_2OO": [
        ArcFile(
            (
                arc_page_record(0),
                arc_page_record(1, http="HTTP/1.0 2OO OK\r\nContent-Type: text/html", valid_url=None),
                arc_page_record(2),
            ),
            "members",
        )
    ],
    # a Content-Length that is not a number: the lines of the body are read as (ARC) records of
    # their own, skipped as http_status, and no error is booked
    # Content-Encoding: br (a real brotli body): warcio's brotli decoder raises, the page is booked
    # corrupt_record and, uncompressed, the rest of the file is dropped
    "warc_brotli_page": [
        WarcFile(
            (
                page_record(
                    0,
                    http_headers=(("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "br")),
                    body=Page("en", ((0, 1, 2), (3, 4)), encoding="br"),
                ),
                page_record(1),
            ),
            "plain",
        )
    ],
    # request and revisit records without WARC-Target-URI: warcio raises, the rest is dropped
    "warc_request_without_uri": [
        WarcFile(
            (
                page_record(0),
                WarcRecord(
                    type="request",
                    url=None,
                    record_id="<urn:x:5>",
                    status_line="GET / HTTP/1.1",
                    http_headers=(),
                ),
                page_record(1),
            ),
            "plain",
        )
    ],
    "wet_content_length_not_a_number": [
        WarcFile(
            (
                WarcRecord(
                    type="warcinfo",
                    url=None,
                    record_id="<urn:x:1>",
                    status_line=None,
                    body=b"software: x\r\n",
                ),
                wet_text_record(
                    1,
                    body=Page("ar", ((0, 1), (0, 1), (0, 1), (0, 1)), plain=True),
                    length="abc",
                    valid_uuid=None,
                ),
            ),
            "plain",
            "wet",
        )
    ],
    # per-record gzip: a Content-Length past 2**63 (warcio: OverflowError) and then the resync bugs
    "warc_members_content_length_overflow": [
        WarcFile(
            (page_record(0), page_record(1, length="99999999999999999999", valid_uuid=None), page_record(2)),
            "members",
        )
    ],
    "wet_date_overflows_in_utc": [WarcFile((wet_text_record(0, date=OVERFLOWING_DATE),), "plain", "wet")],
    # JSONL and Parquet fields
    "jsonl_lone_surrogate_text": [_row(text="\ud800")],
    "jsonl_deeply_nested_line": [
        JsonlFile(
            (
                JsonRow({"id": "a", "text": "Hello there."}),
                RawLine(b'{"text": "x", "x": ' + b"[" * 3000 + b"]" * 3000 + b"}"),
            )
        )
    ],
    "jsonl_date_overflows_in_utc": [_row(date=OVERFLOWING_DATE)],
    "jsonl_lang_nul": [_row(lang="\x00")],
    "jsonl_lang_long": [_row(lang="x" * 300)],
    "jsonl_lang_slash": [_row(lang="en/sub")],
    "jsonl_lang_glob": [_row(lang=[1])],
    "jsonl_lang_path_traversal": [_row(lang=LANG_ESCAPES[-2])],
    "parquet_timestamp_before_year_1": [
        ParquetFile((("text", "string", TWO_TEXTS), ("date", "ts_s", (-62135596800 - 86400, 0))))
    ],
}


# The same for `curate dedup` (language ID and filters off, dedup on).
KNOWN_DEDUP_INPUTS: dict[str, list] = {
    # a URL that urllib cannot split (an unclosed IPv6 bracket): its dedup URL key fails, and the
    # fallback that keeps the other documents of the batch takes an empty list: the input fails
    "jsonl_url_with_an_unclosed_bracket": [_row(url="http://[::1")],
    # two documents share an id; the first is an older crawl of a URL: dedup's removal by id took
    # the other document out of the shards too
    "jsonl_repeated_id_and_an_older_url": [
        JsonlFile(
            (
                JsonRow(
                    {
                        "id": "a",
                        "text": "The river runs.",
                        "url": "http://a.example/",
                        "date": "2020-01-01T00:00:00Z",
                    }
                ),
                JsonRow({"id": "a", "text": "Every morning the baker opens his shop."}),
                JsonRow(
                    {
                        "id": "b",
                        "text": "Our town has a library.",
                        "url": "http://a.example/",
                        "date": "2024-01-01T00:00:00Z",
                    }
                ),
            )
        )
    ],
}
