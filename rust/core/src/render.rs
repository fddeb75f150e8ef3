//! A tiny rasteriser for `rgb_array` frames, so that frames are drawn in Rust
//! rather than pixel by pixel in Python.

pub type Rgb = [u8; 3];

/// An RGB image, row-major, `height * width * 3` bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

impl Frame {
    pub fn new(width: usize, height: usize, background: Rgb) -> Self {
        let mut pixels = Vec::with_capacity(width * height * 3);
        for _ in 0..width * height {
            pixels.extend_from_slice(&background);
        }
        Frame {
            width,
            height,
            pixels,
        }
    }

    pub fn pixel(&self, x: usize, y: usize) -> Rgb {
        let i = (y * self.width + x) * 3;
        [self.pixels[i], self.pixels[i + 1], self.pixels[i + 2]]
    }

    #[inline]
    fn put(&mut self, x: i64, y: i64, color: Rgb) {
        if x >= 0 && y >= 0 && (x as usize) < self.width && (y as usize) < self.height {
            let i = (y as usize * self.width + x as usize) * 3;
            self.pixels[i..i + 3].copy_from_slice(&color);
        }
    }

    /// Axis-aligned rectangle, clipped to the frame.
    pub fn fill_rect(&mut self, x0: f64, y0: f64, x1: f64, y1: f64, color: Rgb) {
        let (xa, xb) = (x0.min(x1).round() as i64, x0.max(x1).round() as i64);
        let (ya, yb) = (y0.min(y1).round() as i64, y0.max(y1).round() as i64);
        for y in ya..yb {
            for x in xa..xb {
                self.put(x, y, color);
            }
        }
    }

    /// Convex polygon (vertices in order), filled by testing pixel centres.
    pub fn fill_convex(&mut self, pts: &[(f64, f64)], color: Rgb) {
        let ymin = pts
            .iter()
            .map(|p| p.1)
            .fold(f64::INFINITY, f64::min)
            .floor() as i64;
        let ymax = pts
            .iter()
            .map(|p| p.1)
            .fold(f64::NEG_INFINITY, f64::max)
            .ceil() as i64;
        let xmin = pts
            .iter()
            .map(|p| p.0)
            .fold(f64::INFINITY, f64::min)
            .floor() as i64;
        let xmax = pts
            .iter()
            .map(|p| p.0)
            .fold(f64::NEG_INFINITY, f64::max)
            .ceil() as i64;
        for y in ymin..=ymax {
            for x in xmin..=xmax {
                let (px, py) = (x as f64 + 0.5, y as f64 + 0.5);
                let mut sign = 0.0f64;
                let inside = pts.iter().zip(pts.iter().cycle().skip(1)).all(|(a, b)| {
                    let cross = (b.0 - a.0) * (py - a.1) - (b.1 - a.1) * (px - a.0);
                    if cross == 0.0 {
                        return true;
                    }
                    if sign == 0.0 {
                        sign = cross.signum();
                    }
                    cross.signum() == sign
                });
                if inside {
                    self.put(x, y, color);
                }
            }
        }
    }

    /// Rectangle outline `t` pixels thick, inside the given bounds.
    pub fn stroke_rect(&mut self, x0: f64, y0: f64, x1: f64, y1: f64, t: f64, color: Rgb) {
        self.fill_rect(x0, y0, x1, y0 + t, color);
        self.fill_rect(x0, y1 - t, x1, y1, color);
        self.fill_rect(x0, y0, x0 + t, y1, color);
        self.fill_rect(x1 - t, y0, x1, y1, color);
    }

    /// Text in a 3x5 pixel font scaled by `scale`, top-left at (x, y).
    /// Covers digits, `:`, `/`, `-`, `.`, space and the capitals in
    /// [`GLYPHS`]; other characters draw as a blank. Returns the x after the
    /// last glyph.
    pub fn text(&mut self, x: f64, y: f64, text: &str, scale: f64, color: Rgb) -> f64 {
        let mut cx = x;
        for ch in text.chars() {
            if let Some(rows) = glyph(ch.to_ascii_uppercase()) {
                for (r, bits) in rows.iter().enumerate() {
                    for c in 0..3 {
                        if bits & (0b100 >> c) != 0 {
                            let (px, py) = (cx + c as f64 * scale, y + r as f64 * scale);
                            self.fill_rect(px, py, px + scale, py + scale, color);
                        }
                    }
                }
            }
            cx += 4.0 * scale;
        }
        cx
    }

    pub fn fill_circle(&mut self, cx: f64, cy: f64, r: f64, color: Rgb) {
        let (y0, y1) = ((cy - r).floor() as i64, (cy + r).ceil() as i64);
        let (x0, x1) = ((cx - r).floor() as i64, (cx + r).ceil() as i64);
        for y in y0..=y1 {
            for x in x0..=x1 {
                let (dx, dy) = (x as f64 + 0.5 - cx, y as f64 + 0.5 - cy);
                if dx * dx + dy * dy <= r * r {
                    self.put(x, y, color);
                }
            }
        }
    }
}

/// A 3x5 bitmap font: five rows of three bits (high bit = left column).
pub const GLYPHS: &[(char, [u8; 5])] = &[
    ('0', [0b111, 0b101, 0b101, 0b101, 0b111]),
    ('1', [0b010, 0b110, 0b010, 0b010, 0b111]),
    ('2', [0b111, 0b001, 0b111, 0b100, 0b111]),
    ('3', [0b111, 0b001, 0b111, 0b001, 0b111]),
    ('4', [0b101, 0b101, 0b111, 0b001, 0b001]),
    ('5', [0b111, 0b100, 0b111, 0b001, 0b111]),
    ('6', [0b111, 0b100, 0b111, 0b101, 0b111]),
    ('7', [0b111, 0b001, 0b010, 0b010, 0b010]),
    ('8', [0b111, 0b101, 0b111, 0b101, 0b111]),
    ('9', [0b111, 0b101, 0b111, 0b001, 0b111]),
    (':', [0b000, 0b010, 0b000, 0b010, 0b000]),
    ('/', [0b001, 0b001, 0b010, 0b100, 0b100]),
    ('-', [0b000, 0b000, 0b111, 0b000, 0b000]),
    ('.', [0b000, 0b000, 0b000, 0b000, 0b010]),
    ('A', [0b010, 0b101, 0b111, 0b101, 0b101]),
    ('B', [0b110, 0b101, 0b110, 0b101, 0b110]),
    ('C', [0b011, 0b100, 0b100, 0b100, 0b011]),
    ('D', [0b110, 0b101, 0b101, 0b101, 0b110]),
    ('E', [0b111, 0b100, 0b110, 0b100, 0b111]),
    ('G', [0b011, 0b100, 0b101, 0b101, 0b011]),
    ('H', [0b101, 0b101, 0b111, 0b101, 0b101]),
    ('I', [0b111, 0b010, 0b010, 0b010, 0b111]),
    ('K', [0b101, 0b101, 0b110, 0b101, 0b101]),
    ('L', [0b100, 0b100, 0b100, 0b100, 0b111]),
    ('M', [0b101, 0b111, 0b111, 0b101, 0b101]),
    ('N', [0b110, 0b101, 0b101, 0b101, 0b101]),
    ('O', [0b010, 0b101, 0b101, 0b101, 0b010]),
    ('P', [0b110, 0b101, 0b110, 0b100, 0b100]),
    ('R', [0b110, 0b101, 0b110, 0b101, 0b101]),
    ('S', [0b011, 0b100, 0b010, 0b001, 0b110]),
    ('T', [0b111, 0b010, 0b010, 0b010, 0b010]),
    ('U', [0b101, 0b101, 0b101, 0b101, 0b111]),
    ('W', [0b101, 0b101, 0b111, 0b111, 0b101]),
    ('X', [0b101, 0b101, 0b010, 0b101, 0b101]),
    ('Y', [0b101, 0b101, 0b010, 0b010, 0b010]),
];

fn glyph(ch: char) -> Option<&'static [u8; 5]> {
    GLYPHS.iter().find(|(c, _)| *c == ch).map(|(_, rows)| rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_paint_inside_and_leave_outside() {
        let mut f = Frame::new(20, 10, [255, 255, 255]);
        f.fill_rect(2.0, 2.0, 5.0, 5.0, [1, 2, 3]);
        assert_eq!(f.pixel(3, 3), [1, 2, 3]);
        assert_eq!(f.pixel(6, 6), [255, 255, 255]);
        f.fill_circle(15.0, 5.0, 2.0, [9, 9, 9]);
        assert_eq!(f.pixel(15, 5), [9, 9, 9]);
        f.fill_convex(
            &[(0.0, 8.0), (4.0, 8.0), (4.0, 10.0), (0.0, 10.0)],
            [7, 7, 7],
        );
        assert_eq!(f.pixel(1, 9), [7, 7, 7]);
        assert_eq!(f.pixels.len(), 20 * 10 * 3);
    }

    #[test]
    fn text_draws_glyph_bits_and_advances() {
        let mut f = Frame::new(16, 6, [0, 0, 0]);
        let end = f.text(0.0, 0.0, "1-", 1.0, [255, 255, 255]);
        assert_eq!(end, 8.0);
        // '1': top row 010, second row 110.
        assert_eq!(f.pixel(0, 0), [0, 0, 0]);
        assert_eq!(f.pixel(1, 0), [255, 255, 255]);
        assert_eq!(f.pixel(0, 1), [255, 255, 255]);
        // '-': middle row only.
        assert_eq!(f.pixel(5, 2), [255, 255, 255]);
        assert_eq!(f.pixel(5, 1), [0, 0, 0]);
    }
}
