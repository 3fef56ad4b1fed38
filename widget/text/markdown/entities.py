"""HTML character references for Markdown (CommonMark 0.31 §2.5) and backslash escapes (§2.4).

Portable. ``&name;`` resolves through a compact table of 377 HTML5 named references (all of
HTML 4's, the ones CommonMark's spec uses, and common punctuation, arrows and maths names);
an unknown name stays literal text, as the spec requires for undefined names. ``&#123;`` and
``&#x1F600;`` resolve numerically; 0, surrogates and values past U+10FFFF become U+FFFD.
The table is one string, split into a dict on first use (cheap to import on MicroPython).
"""

from widget.text.markdown.chars import IS_PUNCT

# name=hex[.hex] pairs separated by ";" (generated from Python's html.entities.html5).
_TABLE = (
    "AElig=c6;Aacute=c1;Acirc=c2;Agrave=c0;Alpha=391;Aring=c5;Atilde=c3;Auml=c4;Beta=392;"
    "Ccedil=c7;Chi=3a7;ClockwiseContourIntegral=2232;CloseCurlyDoubleQuote=201d;"
    "CloseCurlyQuote=2019;Dagger=2021;Dcaron=10e;Delta=394;DifferentialD=2146;Dot=a8;"
    "ETH=d0;Eacute=c9;Ecirc=ca;Egrave=c8;Epsilon=395;Eta=397;Euml=cb;Gamma=393;Hat=5e;"
    "HilbertSpace=210b;Iacute=cd;Icirc=ce;Igrave=cc;Iota=399;Iuml=cf;Kappa=39a;Lambda=39b;"
    "Larr=219e;LeftArrow=2190;Leftarrow=21d0;Mu=39c;NewLine=a;NonBreakingSpace=a0;"
    "Ntilde=d1;Nu=39d;OElig=152;Oacute=d3;Ocirc=d4;Ograve=d2;Omega=3a9;Omicron=39f;"
    "OpenCurlyDoubleQuote=201c;OpenCurlyQuote=2018;Oslash=d8;Otilde=d5;Ouml=d6;Phi=3a6;"
    "Pi=3a0;Prime=2033;Psi=3a8;Rarr=21a0;Rho=3a1;RightArrow=2192;Rightarrow=21d2;"
    "Scaron=160;Sigma=3a3;THORN=de;Tab=9;Tau=3a4;Theta=398;ThinSpace=2009;Uacute=da;"
    "Ucirc=db;Ugrave=d9;Upsilon=3a5;Uuml=dc;Xi=39e;Yacute=dd;Yuml=178;ZeroWidthSpace=200b;"
    "Zeta=396;aacute=e1;acirc=e2;acute=b4;aelig=e6;agrave=e0;alefsym=2135;alpha=3b1;amp=26;"
    "and=2227;ang=2220;angle=2220;apos=27;aring=e5;ast=2a;asymp=2248;atilde=e3;auml=e4;"
    "bdquo=201e;beta=3b2;brvbar=a6;bsol=5c;bull=2022;bullet=2022;cap=2229;caret=2041;"
    "ccedil=e7;cedil=b8;cent=a2;check=2713;chi=3c7;circ=2c6;clubs=2663;colon=3a;comma=2c;"
    "commat=40;compfn=2218;complexes=2102;cong=2245;copy=a9;crarr=21b5;cross=2717;"
    "ctdot=22ef;cup=222a;curren=a4;dArr=21d3;dagger=2020;darr=2193;dash=2010;deg=b0;"
    "delta=3b4;diams=2666;die=a8;divide=f7;dollar=24;downarrow=2193;eacute=e9;ecirc=ea;"
    "egrave=e8;empty=2205;emptyset=2205;emsp=2003;emsp13=2004;emsp14=2005;ensp=2002;"
    "epsilon=3b5;equals=3d;equiv=2261;eta=3b7;eth=f0;euml=eb;euro=20ac;excl=21;exist=2203;"
    "female=2640;flat=266d;fnof=192;forall=2200;frac12=bd;frac13=2153;frac14=bc;"
    "frac15=2155;frac16=2159;frac18=215b;frac23=2154;frac25=2156;frac34=be;frac35=2157;"
    "frac38=215c;frac45=2158;frac56=215a;frac58=215d;frac78=215e;frasl=2044;frown=2322;"
    "gamma=3b3;ge=2265;geq=2265;gg=226b;grave=60;gt=3e;hArr=21d4;hairsp=200a;half=bd;"
    "harr=2194;hearts=2665;hellip=2026;hyphen=2010;iacute=ed;icirc=ee;iexcl=a1;igrave=ec;"
    "image=2111;infin=221e;int=222b;integers=2124;iota=3b9;iquest=bf;isin=2208;iuml=ef;"
    "kappa=3ba;lArr=21d0;lambda=3bb;lang=27e8;laquo=ab;larr=2190;larrhk=21a9;lbrace=7b;"
    "lbrack=5b;lceil=2308;lcub=7b;ldquo=201c;ldquor=201e;le=2264;leftarrow=2190;"
    "leftrightarrow=2194;leq=2264;lfloor=230a;ll=226a;lowast=2217;lowbar=5f;loz=25ca;"
    "lpar=28;lrm=200e;lsaquo=2039;lsqb=5b;lsquo=2018;lsquor=201a;lt=3c;macr=af;male=2642;"
    "map=21a6;mapsto=21a6;mdash=2014;measuredangle=2221;micro=b5;middot=b7;minus=2212;"
    "mldr=2026;mp=2213;mu=3bc;nabla=2207;natur=266e;natural=266e;nbsp=a0;ndash=2013;"
    "ne=2260;nequiv=2262;ngE=2267.338;ni=220b;nldr=2025;not=ac;notin=2209;npar=2226;"
    "nsub=2284;ntilde=f1;nu=3bd;num=23;numsp=2007;oacute=f3;ocirc=f4;oelig=153;ograve=f2;"
    "oline=203e;omega=3c9;omicron=3bf;oplus=2295;or=2228;ordf=aa;ordm=ba;oslash=f8;"
    "otilde=f5;otimes=2297;ouml=f6;para=b6;parallel=2225;part=2202;percnt=25;period=2e;"
    "permil=2030;perp=22a5;phi=3c6;phone=260e;pi=3c0;piv=3d6;plus=2b;plusmn=b1;pm=b1;"
    "pound=a3;prime=2032;primes=2119;prod=220f;prop=221d;psi=3c8;puncsp=2008;quest=3f;"
    "quot=22;rArr=21d2;radic=221a;rang=27e9;raquo=bb;rarr=2192;rarrhk=21aa;rationals=211a;"
    "rbrace=7d;rbrack=5d;rceil=2309;rcub=7d;rdquo=201d;real=211c;reals=211d;reg=ae;"
    "rfloor=230b;rho=3c1;rightarrow=2192;rlm=200f;rpar=29;rsaquo=203a;rsqb=5d;rsquo=2019;"
    "sbquo=201a;scaron=161;sdot=22c5;sect=a7;semi=3b;setminus=2216;sharp=266f;shy=ad;"
    "sigma=3c3;sigmaf=3c2;sim=223c;smile=2323;sol=2f;spades=2660;star=2606;starf=2605;"
    "sub=2282;sube=2286;subseteq=2286;sum=2211;sung=266a;sup=2283;sup1=b9;sup2=b2;sup3=b3;"
    "supe=2287;supseteq=2287;szlig=df;tau=3c4;there4=2234;theta=3b8;thetasym=3d1;"
    "thinsp=2009;thorn=fe;tilde=2dc;times=d7;trade=2122;uArr=21d1;uacute=fa;uarr=2191;"
    "ucirc=fb;ugrave=f9;uml=a8;uparrow=2191;upsih=3d2;upsilon=3c5;uuml=fc;varnothing=2205;"
    "verbar=7c;vert=7c;weierp=2118;xi=3be;yacute=fd;yen=a5;yuml=ff;zeta=3b6;zwj=200d;"
    "zwnj=200c;"
)

_names: dict = {}


def named(name: str) -> str | None:
    """The text of ``&name;``, or None if the name is not in the table."""
    if not _names:
        for item in _TABLE.split(";"):
            if item:
                k, v = item.split("=")
                _names[k] = "".join(chr(int(h, 16)) for h in v.split("."))
    return _names.get(name)


def numeric(value: int) -> str:
    if value == 0 or value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
        return "\ufffd"
    return chr(value)


def _is_alnum(c: int) -> bool:
    return 48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122


def scan_entity(b: bytes, i: int):
    """At ``b[i] == ord("&")``: ``(end, text)`` for a valid reference, else None."""
    n = len(b)
    j = i + 1
    if j < n and b[j] == 35:  # "#"
        j += 1
        hexa = j < n and (b[j] == 120 or b[j] == 88)  # "x" / "X"
        if hexa:
            j += 1
        start = j
        value = 0
        while j < n and j - start < 8:
            c = b[j]
            if 48 <= c <= 57:
                d = c - 48
            elif hexa and (97 <= c <= 102 or 65 <= c <= 70):
                d = (c | 32) - 87
            else:
                break
            value = value * (16 if hexa else 10) + d
            j += 1
        digits = j - start
        if digits == 0 or digits > (6 if hexa else 7) or j >= n or b[j] != 59:
            return None
        return j + 1, numeric(value)
    start = j
    while j < n and j - start < 33 and _is_alnum(b[j]):
        j += 1
    if j == start or j >= n or b[j] != 59:
        return None
    text = named(b[start:j].decode())
    if text is None:
        return None
    return j + 1, text


def unescape(b: bytes) -> str:
    """Resolve backslash escapes and character references (link destinations, titles, code
    info strings)."""
    if b.find(b"\\") < 0 and b.find(b"&") < 0:
        return b.decode()
    out = []
    n = len(b)
    i = 0
    last = 0
    while i < n:
        c = b[i]
        if c == 92 and i + 1 < n and IS_PUNCT[b[i + 1]]:  # "\" + ASCII punctuation
            out.append(b[last:i].decode())
            out.append(chr(b[i + 1]))
            i += 2
            last = i
        elif c == 38:  # "&"
            found = scan_entity(b, i)
            if found is None:
                i += 1
            else:
                out.append(b[last:i].decode())
                out.append(found[1])
                i = last = found[0]
        else:
            i += 1
    out.append(b[last:].decode())
    return "".join(out)
