#!/usr/bin/env python3
"""Draws the images the email designs ship with, into public/static/.

The starter templates point at {{ site_url }}/static/starters/<file> and the social
block at {{ site_url }}/static/social/<network>.png (model/src/email/starters.rs,
model/src/email/mjml_blocks.rs). cargo-leptos copies public/ into the site root, so the
server serves these files itself: no email depends on a third-party image host.

Only the standard library is used (zlib + struct write the PNGs), so the pictures can be
regenerated anywhere:  python3 end2end/tools/make_email_images.py
Shapes are signed-distance functions, so every edge is antialiased analytically (one
sample per pixel). Files are plain RGB/RGBA PNGs, each row with the best of the five
PNG filters, compressed with zlib level 9.
"""

import math
from array import array
import os
import struct
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "public", "static")
MAX_BYTES = 60 * 1024


# --- colours -----------------------------------------------------------------------------

def rgb(hex_colour):
    """'#rrggbb' as an (r, g, b) tuple of 0-255 ints."""
    h = hex_colour.lstrip("#")
    return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))


def mix(a, b, t):
    """Linear blend of two colours, t in 0..1."""
    return tuple(a[i] + (b[i] - a[i]) * t for i in range(3))


def clamp(v, lo=0.0, hi=1.0):
    return lo if v < lo else hi if v > hi else v


# --- signed distances (negative inside, in pixels) ---------------------------------------

def sd_circle(cx, cy, r):
    return lambda x, y: math.hypot(x - cx, y - cy) - r


def sd_box(x0, y0, x1, y1, radius=0.0):
    """A rectangle with rounded corners."""
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    hw, hh = (x1 - x0) / 2, (y1 - y0) / 2
    r = min(radius, hw, hh)

    def d(x, y):
        qx = abs(x - cx) - hw + r
        qy = abs(y - cy) - hh + r
        outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
        inside = min(max(qx, qy), 0.0)
        return outside + inside - r

    return d


def sd_segment(ax, ay, bx, by, r):
    """A capsule: the segment a-b thickened by r on each side."""
    ex, ey = bx - ax, by - ay
    ee = ex * ex + ey * ey or 1e-9

    def d(x, y):
        wx, wy = x - ax, y - ay
        t = clamp((wx * ex + wy * ey) / ee)
        return math.hypot(wx - ex * t, wy - ey * t) - r

    return d


def sd_ellipse(cx, cy, a, b):
    """Approximate distance to an ellipse (first-order; exact enough for antialiasing)."""
    def d(x, y):
        dx, dy = x - cx, y - cy
        k = math.hypot(dx / a, dy / b)
        g = math.hypot(dx / (a * a), dy / (b * b))
        if g < 1e-9:
            return -min(a, b)
        return (k - 1.0) * k / g

    return d


def sd_polygon(points):
    """Exact distance to a simple polygon (after Inigo Quilez)."""
    n = len(points)

    def d(x, y):
        vx, vy = points[0]
        best = (x - vx) ** 2 + (y - vy) ** 2
        sign = 1.0
        j = n - 1
        for i in range(n):
            xi, yi = points[i]
            xj, yj = points[j]
            ex, ey = xj - xi, yj - yi
            wx, wy = x - xi, y - yi
            t = clamp((wx * ex + wy * ey) / ((ex * ex + ey * ey) or 1e-9))
            bx, by = wx - ex * t, wy - ey * t
            best = min(best, bx * bx + by * by)
            c1 = y >= yi
            c2 = y < yj
            c3 = ex * wy > ey * wx
            if (c1 and c2 and c3) or (not c1 and not c2 and not c3):
                sign = -sign
            j = i
        return sign * math.sqrt(best)

    return d


def ring(shape, width):
    """The outline of a shape, `width` thick, centred on its edge."""
    return lambda x, y: abs(shape(x, y)) - width / 2


def union(*shapes):
    return lambda x, y: min(s(x, y) for s in shapes)


def intersect(*shapes):
    return lambda x, y: max(s(x, y) for s in shapes)


def subtract(shape, cut):
    return lambda x, y: max(shape(x, y), -cut(x, y))


def half_plane(nx, ny, px, py):
    """Inside where (p - point) · n <= 0; n need not be normalised."""
    length = math.hypot(nx, ny)
    nx, ny = nx / length, ny / length
    return lambda x, y: (x - px) * nx + (y - py) * ny


def moved(shape, dx, dy):
    return lambda x, y: shape(x - dx, y - dy)


# --- canvas ------------------------------------------------------------------------------

class Canvas:
    """Straight-alpha RGBA pixels as floats (r, g, b in 0..255, a in 0..1), painted front
    to back with the 'over' operator."""

    def __init__(self, width, height, background=None, alpha=False):
        self.w, self.h, self.alpha = width, height, alpha
        bg = background or (0, 0, 0)
        a = 1.0 if background is not None or not alpha else 0.0
        self.px = array("d", [float(bg[0]), float(bg[1]), float(bg[2]), a]) * (width * height)

    def gradient(self, colour_at):
        """Paints every pixel with colour_at(x, y) (opaque)."""
        px = self.px
        for y in range(self.h):
            row = y * self.w
            for x in range(self.w):
                c = colour_at(x + 0.5, y + 0.5)
                i = (row + x) * 4
                px[i], px[i + 1], px[i + 2], px[i + 3] = c[0], c[1], c[2], 1.0

    def blend(self, pixel, colour, a):
        px = self.px
        i = pixel * 4
        da = px[i + 3]
        out_a = a + da * (1 - a)
        if out_a <= 0:
            return
        keep = da * (1 - a)
        for k in range(3):
            px[i + k] = (colour[k] * a + px[i + k] * keep) / out_a
        px[i + 3] = out_a

    def fill(self, shape, colour, opacity=1.0, bbox=None, soft=0.0):
        """Fills where shape < 0, antialiased over one pixel. With soft > 0 the edge fades
        out over `soft` pixels instead (shadows, glows)."""
        colour = rgb(colour) if isinstance(colour, str) else colour
        x0, y0, x1, y1 = bbox or (0, 0, self.w, self.h)
        x0, y0 = max(0, int(x0)), max(0, int(y0))
        x1, y1 = min(self.w, int(math.ceil(x1))), min(self.h, int(math.ceil(y1)))
        for y in range(y0, y1):
            row = y * self.w
            for x in range(x0, x1):
                d = shape(x + 0.5, y + 0.5)
                if soft > 0:
                    cover = clamp(1.0 - d / soft) if d > 0 else 1.0
                    cover = cover * cover * (3 - 2 * cover)
                else:
                    cover = clamp(0.5 - d)
                if cover > 0:
                    self.blend(row + x, colour, cover * opacity)

    def save(self, path):
        channels = 4 if self.alpha else 3
        raw_rows = []
        px = self.px
        for y in range(self.h):
            row = bytearray()
            for i in range(y * self.w * 4, (y + 1) * self.w * 4, 4):
                row.append(int(round(clamp(px[i], 0, 255))))
                row.append(int(round(clamp(px[i + 1], 0, 255))))
                row.append(int(round(clamp(px[i + 2], 0, 255))))
                if self.alpha:
                    row.append(int(round(clamp(px[i + 3]) * 255)))
            raw_rows.append(bytes(row))
        data = zlib.compress(filtered(raw_rows, channels), 9)
        colour_type = 6 if self.alpha else 2
        ihdr = struct.pack(">IIBBBBB", self.w, self.h, 8, colour_type, 0, 0, 0)
        png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(png)
        return len(png)


def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filtered(rows, bpp):
    """Each row with the PNG filter whose output has the smallest sum of magnitudes (the
    usual heuristic), prefixed by its filter byte."""
    out = bytearray()
    previous = bytes(len(rows[0]))
    for row in rows:
        n = len(row)
        candidates = []
        candidates.append((0, row))
        candidates.append((1, bytes((row[i] - (row[i - bpp] if i >= bpp else 0)) & 0xFF for i in range(n))))
        candidates.append((2, bytes((row[i] - previous[i]) & 0xFF for i in range(n))))
        candidates.append((3, bytes(
            (row[i] - (((row[i - bpp] if i >= bpp else 0) + previous[i]) >> 1)) & 0xFF for i in range(n))))
        candidates.append((4, bytes(
            (row[i] - paeth(row[i - bpp] if i >= bpp else 0, previous[i], previous[i - bpp] if i >= bpp else 0))
            & 0xFF for i in range(n))))
        kind, best = min(candidates, key=lambda c: sum(b if b < 128 else 256 - b for b in c[1]))
        out.append(kind)
        out += best
        previous = row
    return bytes(out)


def shadow(canvas, shape, bbox, offset=10, blur=28, opacity=0.14, colour="#1e1b4b"):
    """A soft drop shadow under a card."""
    x0, y0, x1, y1 = bbox
    canvas.fill(moved(shape, 0, offset), colour, opacity,
                bbox=(x0 - blur, y0 - blur + offset, x1 + blur, y1 + blur + offset), soft=blur)


# --- starter images ----------------------------------------------------------------------

def hero():
    """1200×500: soft indigo-to-pink gradient, translucent circles and a floating email
    card with a button, for the announcement's hero."""
    w, h = 1200, 500
    c = Canvas(w, h)
    top_left, middle, right = rgb("#e0e7ff"), rgb("#ede9fe"), rgb("#fce7f3")

    def bg(x, y):
        t = clamp(0.75 * x / w + 0.25 * y / h)
        return mix(top_left, middle, t * 2) if t < 0.5 else mix(middle, right, (t - 0.5) * 2)

    c.gradient(bg)
    c.fill(sd_circle(1040, 70, 250), "#c7d2fe", 0.55, bbox=(790, 0, 1200, 320))
    c.fill(sd_circle(130, 480, 210), "#fbcfe8", 0.55, bbox=(0, 270, 340, 500))
    c.fill(sd_circle(990, 440, 95), "#a5b4fc", 0.35, bbox=(895, 345, 1085, 500))
    c.fill(ring(sd_circle(1075, 300, 30), 9), "#818cf8", 0.8, bbox=(1035, 260, 1115, 340))
    c.fill(sd_polygon([(205, 170), (262, 132), (270, 200)]), "#f472b6", 0.8, bbox=(200, 125, 275, 205))
    for i in range(4):
        for j in range(3):
            cx, cy = 120 + i * 26, 250 + j * 26
            c.fill(sd_circle(cx, cy, 5), "#a5b4fc", 0.9, bbox=(cx - 7, cy - 7, cx + 7, cy + 7))
    plus = union(sd_box(906, 74, 934, 82, 4), sd_box(916, 64, 924, 92, 4))
    c.fill(plus, "#6366f1", 0.7, bbox=(900, 60, 940, 96))

    card = sd_box(330, 95, 870, 425, 26)
    shadow(c, card, (330, 95, 870, 425), offset=14, blur=36, opacity=0.16)
    c.fill(card, "#ffffff", bbox=(325, 90, 875, 430))
    # Header: avatar and two lines of "text".
    c.fill(sd_circle(392, 150, 26), "#6366f1", bbox=(362, 120, 422, 180))
    c.fill(sd_circle(392, 150, 10), "#ffffff", 0.9, bbox=(378, 136, 406, 164))
    c.fill(sd_box(436, 134, 640, 148, 7), "#c7d2fe", bbox=(430, 130, 645, 152))
    c.fill(sd_box(436, 158, 560, 170, 6), "#e0e7ff", bbox=(430, 154, 565, 174))
    # Picture area: a gradient panel with hills and a sun.
    panel = sd_box(362, 200, 838, 330, 16)
    top, bottom = rgb("#818cf8"), rgb("#c084fc")
    for y in range(200, 331):
        colour = mix(top, bottom, (y - 200) / 130)
        c.fill(intersect(panel, sd_box(350, y, 850, y + 1)), colour, bbox=(360, y, 840, y + 1))
    c.fill(intersect(panel, sd_circle(760, 245, 24)), "#fde68a", bbox=(730, 215, 790, 275))
    hills_back = sd_polygon([(362, 330), (362, 300), (470, 250), (580, 300), (680, 262), (838, 312), (838, 330)])
    c.fill(intersect(panel, hills_back), "#ffffff", 0.35, bbox=(360, 245, 840, 332))
    hills_front = sd_polygon([(362, 330), (362, 318), (520, 282), (640, 312), (760, 290), (838, 318), (838, 330)])
    c.fill(intersect(panel, hills_front), "#ffffff", 0.6, bbox=(360, 280, 840, 332))
    # Body lines and the button.
    c.fill(sd_box(362, 350, 700, 362, 6), "#e2e8f0", bbox=(358, 346, 704, 366))
    c.fill(sd_box(362, 372, 600, 384, 6), "#e2e8f0", bbox=(358, 368, 604, 388))
    c.fill(sd_box(680, 362, 838, 400, 12), "#4f46e5", bbox=(676, 358, 842, 404))
    c.fill(sd_box(716, 377, 802, 385, 4), "#ffffff", 0.9, bbox=(712, 373, 806, 389))
    return c


def article_calendar():
    """600×340: a week planner card with a green check, for 'plan your week'."""
    w, h = 600, 340
    c = Canvas(w, h)
    a, b = rgb("#e0f2fe"), rgb("#e0e7ff")
    c.gradient(lambda x, y: mix(a, b, clamp(0.6 * x / w + 0.4 * y / h)))
    c.fill(sd_circle(70, 60, 90), "#bae6fd", 0.5, bbox=(0, 0, 165, 155))
    c.fill(sd_circle(560, 300, 110), "#c7d2fe", 0.5, bbox=(445, 185, 600, 340))

    card = sd_box(140, 48, 460, 300, 20)
    shadow(c, card, (140, 48, 460, 300), offset=10, blur=24, opacity=0.14, colour="#0c4a6e")
    c.fill(card, "#ffffff", bbox=(136, 44, 464, 304))
    c.fill(intersect(card, sd_box(130, 40, 470, 98)), "#2563eb", bbox=(136, 44, 464, 100))
    c.fill(sd_box(168, 66, 260, 78, 6), "#ffffff", 0.85, bbox=(164, 62, 264, 82))
    for x in (200, 400):
        c.fill(sd_segment(x, 34, x, 60, 6), "#1e3a8a", bbox=(x - 8, 26, x + 8, 68))
    highlights = {(1, 0): "#bfdbfe", (3, 1): "#bfdbfe", (5, 2): "#fde68a", (2, 3): "#bfdbfe"}
    for row in range(4):
        for col in range(7):
            x0 = 162 + col * 40
            y0 = 116 + row * 44
            colour = "#2563eb" if (row, col) == (2, 1) else highlights.get((col, row), "#e2e8f0")
            c.fill(sd_box(x0, y0, x0 + 32, y0 + 30, 7), colour, bbox=(x0 - 2, y0 - 2, x0 + 34, y0 + 32))
    c.fill(sd_circle(448, 282, 38), "#ffffff", bbox=(406, 240, 490, 324))
    c.fill(sd_circle(448, 282, 32), "#10b981", bbox=(414, 248, 482, 316))
    tick = union(sd_segment(433, 283, 444, 294, 4.2), sd_segment(444, 294, 464, 272, 4.2))
    c.fill(tick, "#ffffff", bbox=(425, 264, 472, 302))
    return c


def article_landscape():
    """600×340: warm layered hills, sun, clouds and a paper plane, for 'behind the scenes'."""
    w, h = 600, 340
    c = Canvas(w, h)
    top, bottom = rgb("#fff7ed"), rgb("#ffe4c7")
    c.gradient(lambda x, y: mix(top, bottom, clamp(y / h)))
    c.fill(sd_circle(430, 118, 50), "#fed7aa", 0.7, bbox=(350, 38, 510, 198), soft=28)
    c.fill(sd_circle(430, 118, 46), "#fb923c", bbox=(380, 68, 480, 168))
    cloud = union(sd_circle(130, 96, 26), sd_circle(162, 84, 34), sd_circle(198, 98, 24),
                  sd_box(104, 96, 222, 122, 13))
    c.fill(cloud, "#ffffff", 0.95, bbox=(100, 46, 226, 126))
    small_cloud = union(sd_circle(520, 200, 14), sd_circle(540, 192, 19), sd_box(506, 198, 562, 214, 8))
    c.fill(small_cloud, "#ffffff", 0.8, bbox=(502, 170, 566, 218))
    c.fill(sd_polygon([(0, 340), (0, 236), (110, 178), (230, 232), (350, 160), (480, 228), (600, 190),
                       (600, 340)]), "#fdba74", bbox=(0, 155, 600, 340))
    c.fill(sd_polygon([(0, 340), (0, 270), (140, 228), (280, 276), (420, 226), (600, 268), (600, 340)]),
           "#fb923c", bbox=(0, 222, 600, 340))
    c.fill(sd_polygon([(0, 340), (0, 306), (180, 272), (330, 310), (470, 282), (600, 304), (600, 340)]),
           "#ea580c", bbox=(0, 268, 600, 340))
    # Paper plane and its dotted trail.
    for i, (x, y) in enumerate([(188, 196), (212, 184), (238, 174), (264, 166)]):
        c.fill(sd_circle(x, y, 3), "#ffffff", 0.9, bbox=(x - 5, y - 5, x + 5, y + 5))
    c.fill(sd_polygon([(282, 160), (352, 126), (316, 176)]), "#ffffff", bbox=(278, 122, 356, 180))
    c.fill(sd_polygon([(300, 160), (352, 126), (306, 180)]), "#fed7aa", bbox=(296, 122, 356, 184))
    return c


def glyph_l(x0, y0, h, s):
    r = s / 2
    return union(sd_segment(x0 + r, y0 + r, x0 + r, y0 + h - r, r),
                 sd_segment(x0 + r, y0 + h - r, x0 + 0.8 * h - r, y0 + h - r, r))


def glyph_o(x0, y0, w, h, s):
    r = s / 2
    return ring(sd_box(x0 + r, y0 + r, x0 + w - r, y0 + h - r, (w - s) / 2), s)


def glyph_g(x0, y0, w, h, s):
    r = s / 2
    cx, cy = x0 + w / 2, y0 + h / 2
    o = glyph_o(x0, y0, w, h, s)
    # Open the upper right between about 15° and the middle, then the bar inwards.
    cut = intersect(half_plane(-1, 0, cx + 2, cy), half_plane(0, 1, cx, cy - 1), half_plane(-1, -1, cx, cy - 2))
    bar = sd_segment(cx + 1, cy + 2, x0 + w - r, cy + 2, r)
    stem = sd_segment(x0 + w - r, cy + 2, x0 + w - r, cy + h * 0.3, r)
    return union(subtract(o, cut), bar, stem)


def logo():
    """Pill with a round mark and the word LOGO, white on the starters' accent blue, with
    transparent corners: readable on light and dark email backgrounds alike."""
    w, h = 264, 80
    c = Canvas(w, h, alpha=True)
    c.fill(sd_box(0, 0, w, h, 40), "#2563eb")
    c.fill(sd_circle(44, 40, 22), "#ffffff")
    c.fill(sd_polygon([(34, 50), (44, 28), (54, 50)]), "#2563eb")
    top, size, stroke = 23, 34, 7
    x = 82
    letters = [glyph_l(x, top, size, stroke)]
    x += 27 + 9
    letters.append(glyph_o(x, top, 30, size, stroke))
    x += 30 + 9
    letters.append(glyph_g(x, top, 30, size, stroke))
    x += 30 + 9
    letters.append(glyph_o(x, top, 30, size, stroke))
    c.fill(union(*letters), "#ffffff", bbox=(78, 18, w, 62))
    return c


def placeholder():
    """1200×600 light grey with a picture glyph: what a new image block shows until an
    image is chosen."""
    w, h = 1200, 600
    c = Canvas(w, h, background=rgb("#e5e7eb"))
    frame = sd_box(480, 210, 720, 390, 26)
    c.fill(ring(frame, 12), "#9ca3af", bbox=(470, 200, 730, 400))
    # Reaches under the frame, so no seam shows between the hills and the frame.
    inner = sd_box(482, 212, 718, 388, 22)
    c.fill(sd_circle(652, 268, 22), "#9ca3af", bbox=(628, 244, 676, 292))
    c.fill(intersect(inner, sd_polygon([(482, 392), (482, 346), (560, 280), (640, 360), (670, 330), (718, 376),
                                        (718, 392)])), "#9ca3af", bbox=(480, 276, 720, 390))
    return c


# --- social icons ------------------------------------------------------------------------

# The colours mj-social paints behind each icon (SocialNetwork::color in
# model/src/email/links.rs); the badge matches them so icon and cell read as one shape.
SOCIAL_COLOURS = {
    "facebook": "#1877f2",
    "x": "#000000",
    "instagram": "#e4405f",
    "linkedin": "#0a66c2",
    "youtube": "#ff0000",
    "tiktok": "#000000",
    "github": "#181717",
    "website": "#4b5563",
}


def social_glyph(network):
    """The white mark of a network in the 64×64 badge, as one distance function."""
    if network == "facebook":
        stem = sd_segment(35, 26, 35, 54, 3.6)
        hook = intersect(ring(sd_circle(43, 24, 7.5), 7.2), half_plane(1, 0, 43, 24), half_plane(0, 1, 43, 24))
        top = sd_segment(43, 16.5, 45.5, 16.5, 3.6)
        bar = sd_segment(27, 33, 43, 33, 3.1)
        return intersect(union(stem, hook, top, bar), sd_circle(32, 32, 30))
    if network == "x":
        return union(sd_segment(21, 18, 43, 46, 3.4), sd_segment(43, 18, 21, 46, 1.7))
    if network == "instagram":
        return union(ring(sd_box(17.5, 17.5, 46.5, 46.5, 9), 4.6), ring(sd_circle(32, 32, 6.8), 4.6),
                     sd_circle(40.8, 23.2, 2.6))
    if network == "linkedin":
        dot = sd_circle(22.5, 20.5, 3.6)
        i_bar = sd_box(19.2, 27, 25.8, 45, 1.2)
        n_left = sd_box(30, 27, 36.2, 45, 1.2)
        arch = intersect(ring(sd_circle(39.5, 35, 6.4), 6.2), half_plane(0, 1, 0, 35))
        n_right = sd_box(42.8, 35, 49, 45, 1.2)
        return union(dot, i_bar, n_left, arch, n_right)
    if network == "youtube":
        return subtract(sd_box(14, 20, 50, 44, 7), sd_polygon([(27.5, 24.5), (27.5, 39.5), (40.5, 32)]))
    if network == "tiktok":
        return tiktok_note(0, 0)
    if network == "github":
        head = sd_ellipse(32, 30, 13.5, 12)
        ears = union(sd_polygon([(19.5, 27), (21, 16), (29, 19.5)]),
                     sd_polygon([(44.5, 27), (43, 16), (35, 19.5)]))
        neck = sd_box(26.5, 36, 37.5, 50, 3)
        tail = intersect(ring(sd_circle(23.5, 40.5, 5.5), 3), half_plane(0, -1, 0, 40.5), half_plane(1, 0, 27, 0))
        return union(head, ears, neck, tail)
    if network == "website":
        globe = sd_circle(32, 32, 15)
        lines = union(
            ring(globe, 3.2),
            ring(sd_ellipse(32, 32, 6.5, 15), 2.8),
            sd_segment(17, 32, 47, 32, 1.4),
            sd_segment(19.5, 24.5, 44.5, 24.5, 1.3),
            sd_segment(19.5, 39.5, 44.5, 39.5, 1.3),
        )
        return intersect(lines, sd_circle(32, 32, 16.6))
    raise ValueError(network)


def tiktok_note(dx, dy):
    """The note of TikTok's mark: a ring at the foot of a stem with a curled flag."""
    stem = sd_segment(35 + dx, 17 + dy, 35 + dx, 40 + dy, 3)
    ball = ring(sd_circle(28.5 + dx, 40 + dy, 6.6), 6)
    flag = intersect(ring(sd_circle(43 + dx, 17 + dy, 8), 6), half_plane(1, 0, 43 + dx, 0),
                     half_plane(0, -1, 0, 17 + dy))
    return union(stem, ball, flag)


def social_icon(network):
    c = Canvas(64, 64, alpha=True)
    c.fill(sd_circle(32, 32, 31.8), SOCIAL_COLOURS[network])
    if network == "tiktok":
        c.fill(tiktok_note(-1.6, -1.2), "#25f4ee")
        c.fill(tiktok_note(1.6, 1.2), "#fe2c55")
    c.fill(social_glyph(network), "#ffffff")
    return c


# --- main --------------------------------------------------------------------------------

def main():
    images = {
        "starters/hero.png": hero,
        "starters/article-1.png": article_calendar,
        "starters/article-2.png": article_landscape,
        "starters/logo.png": logo,
        "starters/placeholder.png": placeholder,
    }
    for network in SOCIAL_COLOURS:
        images[f"social/{network}.png"] = lambda n=network: social_icon(n)
    too_big = []
    for name, draw in images.items():
        path = os.path.join(OUT, name)
        size = draw().save(path)
        print(f"{os.path.relpath(path, ROOT)}: {size} bytes")
        if size > MAX_BYTES:
            too_big.append(name)
    if too_big:
        print(f"larger than {MAX_BYTES} bytes: {', '.join(too_big)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
