//! Parses tesseract's TSV output into lines of words with boxes and confidences.

use tamis_shared::{BBox, Line, Word};

/// The recognised text of one image.
#[derive(Clone, Debug, Default)]
pub struct TsvPage {
    pub lines: Vec<Line>,
}

impl TsvPage {
    /// Number of words.
    pub fn word_count(&self) -> usize {
        self.lines.iter().map(|l| l.words.len()).sum()
    }

    /// Mean word confidence, 0 when there are no words.
    pub fn mean_confidence(&self) -> f32 {
        let n = self.word_count();
        if n == 0 {
            return 0.0;
        }
        self.lines.iter().flat_map(|l| &l.words).map(|w| w.confidence).sum::<f32>() / n as f32
    }

    /// All words, in reading order.
    pub fn words(&self) -> impl Iterator<Item = &Word> {
        self.lines.iter().flat_map(|l| &l.words)
    }
}

/// Parses TSV: `level page block par line word left top width height conf text`; level 5 rows
/// are words, grouped into lines by (block, par, line).
pub fn parse(tsv: &str) -> TsvPage {
    let mut lines: Vec<Line> = Vec::new();
    let mut current: Option<(u32, u32, u32)> = None;
    for row in tsv.lines() {
        let cols: Vec<&str> = row.splitn(12, '\t').collect();
        if cols.len() < 12 || cols[0] != "5" {
            continue;
        }
        let num = |i: usize| cols[i].trim().parse::<i64>().ok();
        let (Some(block), Some(par), Some(line)) = (num(2), num(3), num(4)) else { continue };
        let (Some(x), Some(y), Some(w), Some(h)) = (num(6), num(7), num(8), num(9)) else { continue };
        let conf: f32 = cols[10].trim().parse().ok().filter(|c: &f32| c.is_finite()).unwrap_or(-1.0);
        let text = cols[11].trim();
        if text.is_empty() || conf < 0.0 {
            continue;
        }
        let clamp = |v: i64| v.clamp(0, u32::MAX as i64) as u32;
        let bbox = BBox { x: clamp(x), y: clamp(y), w: clamp(w), h: clamp(h) };
        let key = (block as u32, par as u32, line as u32);
        let word = Word { text: text.to_string(), confidence: (conf / 100.0).clamp(0.0, 1.0), bbox: Some(bbox) };
        match lines.last_mut() {
            Some(l) if current == Some(key) => {
                l.text.push(' ');
                l.text.push_str(text);
                l.bbox = Some(l.bbox.map_or(bbox, |b| b.union(&bbox)));
                l.words.push(word);
            }
            _ => {
                current = Some(key);
                lines.push(Line { text: text.to_string(), bbox: Some(bbox), words: vec![word] });
            }
        }
    }
    TsvPage { lines }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_words_into_lines_and_scales_confidence() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n\
                   5\t1\t1\t1\t1\t1\t10\t20\t30\t10\t96.5\tBulletin\n\
                   5\t1\t1\t1\t1\t2\t45\t21\t20\t10\t90\tde\n\
                   5\t1\t1\t1\t2\t1\t10\t40\t30\t10\t50\tpaie\n\
                   5\t1\t1\t1\t2\t2\t50\t40\t30\t10\t95\t \n";
        let p = parse(tsv);
        assert_eq!(p.lines.len(), 2);
        assert_eq!(p.lines[0].text, "Bulletin de");
        assert_eq!(p.lines[0].bbox, Some(BBox { x: 10, y: 20, w: 55, h: 11 }));
        assert!((p.lines[0].words[0].confidence - 0.965).abs() < 1e-4);
        assert_eq!(p.lines[1].words.len(), 1);
        assert_eq!(p.word_count(), 3);
    }

    #[test]
    fn tolerates_garbage_rows() {
        let p = parse("5\tx\ny\n\n5\t1\t1\t1\t1\t1\t-5\t0\t3\t3\tnan\tz");
        assert_eq!(p.word_count(), 0);
    }
}
