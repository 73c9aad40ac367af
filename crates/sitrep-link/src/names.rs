//! Name matching across articles: spelling and transliteration variants of one name
//! (Zelensky / Zelenskyy / Zelenskiy, Al-Sharaa / al Sharaa, Erdoğan / Erdogan).

/// A spelling-insensitive key for one word or a whole name: lowercase ASCII letters with
/// diacritics dropped, "y" read as "i", doubled letters single, a final "i" dropped, and the
/// Arabic article and hyphens ignored.
pub fn name_key(name: &str) -> String {
    let mut out = String::new();
    for word in name.split(|c: char| c.is_whitespace() || c == '-' || c == '‐') {
        let w: String = word
            .chars()
            .filter_map(fold)
            .collect::<String>()
            .to_lowercase();
        if w.is_empty() || matches!(w.as_str(), "al" | "el" | "the") {
            continue;
        }
        let mut key = String::new();
        let mut last = '\0';
        for c in w.chars().map(|c| if c == 'y' { 'i' } else { c }) {
            if c != last {
                key.push(c);
            }
            last = c;
        }
        if key.len() > 3 && key.ends_with('i') {
            key.pop();
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&key);
    }
    out
}

/// ASCII folding of one character (letters only; other characters dropped).
fn fold(c: char) -> Option<char> {
    if c.is_ascii_alphanumeric() {
        return Some(c);
    }
    let base = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' => 'A',
        'ç' | 'ć' | 'č' => 'c',
        'Ç' | 'Ć' | 'Č' => 'C',
        'ď' | 'đ' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => 'e',
        'È' | 'É' | 'Ê' | 'Ë' => 'E',
        'ğ' => 'g',
        'Ğ' => 'G',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' => 'i',
        'İ' | 'Í' | 'Î' => 'I',
        'ł' => 'l',
        'Ł' => 'L',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'o',
        'Ö' | 'Ó' | 'Ø' => 'O',
        'ř' => 'r',
        'ś' | 'š' | 'ş' | 'ș' => 's',
        'Ś' | 'Š' | 'Ş' | 'Ș' => 'S',
        'ť' | 'ţ' | 'ț' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => 'u',
        'Ü' | 'Ú' => 'U',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        'Ž' | 'Ź' | 'Ż' => 'Z',
        _ => return None,
    };
    Some(base)
}

/// Whether two names name the same one: equal keys; for people also the same surname key with
/// compatible first names ("Vladimir Putin" / "V. Putin"; not "Hunter Biden" / "Joe Biden").
pub fn same_name(a: &str, b: &str, people: bool) -> bool {
    let (ka, kb) = (name_key(a), name_key(b));
    if ka.is_empty() || kb.is_empty() {
        return false;
    }
    if ka == kb {
        return true;
    }
    if !people {
        return false;
    }
    let wa: Vec<&str> = ka.split(' ').collect();
    let wb: Vec<&str> = kb.split(' ').collect();
    if wa.len() < 2 || wb.len() < 2 || wa.last() != wb.last() {
        return false;
    }
    // First names: equal, or one an initial of the other.
    let (fa, fb) = (wa[0], wb[0]);
    fa == fb || (fa.len() == 1 && fb.starts_with(fa)) || (fb.len() == 1 && fa.starts_with(fb))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transliterations_share_a_key() {
        assert_eq!(name_key("Zelensky"), name_key("Zelenskyy"));
        assert_eq!(name_key("Zelenskiy"), name_key("Zelenskyy"));
        assert_eq!(name_key("Erdoğan"), name_key("Erdogan"));
        assert_eq!(name_key("Ahmed al-Sharaa"), name_key("Ahmed Sharaa"));
        assert_ne!(name_key("Putin"), name_key("Peskov"));
    }

    #[test]
    fn people_need_compatible_first_names() {
        assert!(same_name("Vladimir Putin", "V. Putin", true));
        assert!(same_name("Volodymyr Zelensky", "Volodymyr Zelenskyy", true));
        assert!(!same_name("Hunter Biden", "Joe Biden", true));
        assert!(!same_name("Kyiv", "Kiev City", false));
        assert!(!same_name("", "", true));
    }
}
