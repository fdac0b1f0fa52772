//! Port-43 whois and rwhois: choosing the server, asking, following referrals.

pub mod client;
pub mod parse;

/// The charset a server answers in when it is not UTF-8 (after whois(1)'s list).
fn charset_of(server: &str) -> &'static encoding_rs::Encoding {
    match server {
        "whois.nic.ad.jp" | "whois.jprs.jp" => encoding_rs::ISO_2022_JP,
        "whois.nic.or.kr" | "whois.krnic.net" | "whois.kisa.or.kr" => encoding_rs::EUC_KR,
        "whois.twnic.net" | "whois.twnic.net.tw" => encoding_rs::BIG5,
        "whois.cnnic.cn" | "whois.cnnic.net.cn" => encoding_rs::GB18030,
        "whois.nic.kg" | "whois.tcinet.ru" => encoding_rs::WINDOWS_1251,
        _ => encoding_rs::WINDOWS_1252,
    }
}

/// Decodes an answer: UTF-8 when it is, else the server's charset (ISO-2022-JP is
/// recognised by its escapes whatever the server).
pub fn decode(bytes: &[u8], server: &str) -> String {
    if let Ok(s) = std::str::from_utf8(bytes)
        && !s.contains("\x1b$B")
    {
        return s.to_string();
    }
    let enc = if memchr::memmem::find(bytes, b"\x1b$B").is_some() {
        encoding_rs::ISO_2022_JP
    } else {
        charset_of(server)
    };
    enc.decode_without_bom_handling(bytes).0.into_owned()
}
