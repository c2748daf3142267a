//! The app's words in English and German: the language the user chose with the switch, else the
//! browser's.

/// Every text the UI shows. Accessible names named by issues are kept word for word in English.
pub struct Texts {
    /// The language's code, as `<html lang>` and the remembered choice name it.
    pub lang: &'static str,
    /// The language's own name, for the language switch ("Deutsch" in German).
    pub language_name: &'static str,
    /// The accessible name of the language switch.
    pub language: &'static str,
    pub tagline: &'static str,
    pub start_meeting: &'static str,
    pub start_failed: &'static str,
    pub join_meeting: &'static str,
    pub meeting_link_label: &'static str,
    pub invalid_link: &'static str,
    pub room_name_label: &'static str,
    pub passphrase_label: &'static str,
    pub copy_link: &'static str,
    pub copy_passphrase: &'static str,
    pub copied: &'static str,
    pub send_separately: &'static str,
    pub include_passphrase: &'static str,
    pub include_passphrase_warning: &'static str,
    pub go_to_meeting: &'static str,
    pub your_name: &'static str,
    pub camera: &'static str,
    pub microphone: &'static str,
    pub join: &'static str,
    pub weak_passphrase: &'static str,
    pub passphrase_required: &'static str,
    pub devices_denied: &'static str,
    pub devices_missing: &'static str,
    pub devices_failed: &'static str,
    pub send_file: &'static str,
    pub send_file_to: &'static str,
    pub files: &'static str,
    pub file_limit_hint: &'static str,
    pub file_too_large: &'static str,
    pub file_empty: &'static str,
    pub file_nobody: &'static str,
    pub file_failed: &'static str,
    pub file_damaged: &'static str,
    pub file_cancelled: &'static str,
    pub file_sent: &'static str,
    pub cancel: &'static str,
    pub save: &'static str,
    pub devices: &'static str,
    pub choose_camera: &'static str,
    pub choose_microphone: &'static str,
    pub choose_speaker: &'static str,
    pub speaker: &'static str,
    pub speaker_default_only: &'static str,
    pub microphone_level: &'static str,
    pub microphone_silenced: &'static str,
    pub camera_disconnected: &'static str,
    pub microphone_disconnected: &'static str,
    pub deriving_keys: &'static str,
    pub connecting_to_server: &'static str,
    pub server_lost: &'static str,
    pub waiting_for_others: &'static str,
    pub verifying: &'static str,
    pub passphrase_mismatch: &'static str,
    pub foreign_attempt: &'static str,
    joined: &'static str,
    left: &'static str,
    pub mute: &'static str,
    pub unmute: &'static str,
    pub stop_camera: &'static str,
    pub start_camera: &'static str,
    pub leave: &'static str,
    pub you: &'static str,
    pub guest: &'static str,
    pub participants: &'static str,
    pub status_connecting: &'static str,
    pub status_connected: &'static str,
    pub status_reconnecting: &'static str,
    pub status_failed: &'static str,
    pub you_left: &'static str,
    pub rejoin: &'static str,
    pub back_home: &'static str,
    pub room_full: &'static str,
    pub server_busy: &'static str,
    pub server_refused: &'static str,
    pub cannot_start: &'static str,
    pub shortcuts_hint: &'static str,
    pub safety_number: &'static str,
    pub safety_number_hint: &'static str,
    /// The button in the participants list, once the person's safety number was compared.
    pub mark_verified: &'static str,
    /// The badge on the tile and in the list of someone marked as verified.
    pub verified: &'static str,
    safety_number_changed: &'static str,
    dropped: &'static str,
    unverified_present: &'static str,
    untrustworthy: &'static str,
    pub microphone_off: &'static str,
    pub camera_off: &'static str,
    pub enter_passphrase_again: &'static str,
    pub mismatch_hint: &'static str,
    pub connection_details: &'static str,
    /// "Hide my IP address" (issue #11): the pre-join checkbox, what it costs, why it cannot be
    /// changed, and why a connection could not be made.
    pub hide_ip: &'static str,
    pub hide_ip_hint: &'static str,
    pub hide_ip_required: &'static str,
    pub hide_ip_no_relay: &'static str,
    pub hide_ip_no_relay_in_meeting: &'static str,
    pub problem_direct_blocked: &'static str,
    pub problem_relay_failed: &'static str,
    pub problem_no_relay_to_hide: &'static str,
    pub audio_only: &'static str,
    pub audio_only_hint: &'static str,
    pub route_direct: &'static str,
    pub route_relayed: &'static str,
    pub chat: &'static str,
    pub raise_hand: &'static str,
    pub share_screen: &'static str,
    pub stop_sharing: &'static str,
    pub sharing_banner: &'static str,
    pub screen_denied: &'static str,
    pub screen_failed: &'static str,
    screen_of: &'static str,
    pub lower_hand: &'static str,
    hand_up: &'static str,
    hand_raised_by: &'static str,
    pub chat_message: &'static str,
    pub send: &'static str,
    pub clear_chat: &'static str,
    pub clear_chat_for_everyone: &'static str,
    pub chat_empty: &'static str,
    pub chat_too_long: &'static str,
    chat_cleared_by: &'static str,
    not_delivered: &'static str,
    unread: &'static str,
    dropped_one: &'static str,
}

impl Texts {
    /// The name someone gave, or "Guest" if they gave none. Names are kept as given and put
    /// into words only when shown, so that a language switch reaches them too.
    pub fn person(&self, name: &str) -> String {
        if name.is_empty() {
            self.guest.to_owned()
        } else {
            name.to_owned()
        }
    }

    pub fn joined(&self, name: &str) -> String {
        self.joined.replace("{name}", name)
    }

    pub fn left(&self, name: &str) -> String {
        self.left.replace("{name}", name)
    }

    /// How many signalling messages could not be opened, with the right plural.
    pub fn dropped(&self, count: u64) -> String {
        let text = if count == 1 {
            self.dropped_one
        } else {
            self.dropped
        };
        text.replace("{count}", &count.to_string())
    }

    /// "2 present, not verified": members who have not completed the handshake with us.
    pub fn unverified_present(&self, count: usize) -> String {
        self.unverified_present
            .replace("{count}", &count.to_string())
    }

    pub fn chat_cleared_by(&self, name: &str) -> String {
        self.chat_cleared_by.replace("{name}", name)
    }

    pub fn not_delivered(&self, names: &[String]) -> String {
        self.not_delivered.replace("{names}", &names.join(", "))
    }

    pub fn unread(&self, count: usize) -> String {
        self.unread.replace("{count}", &count.to_string())
    }

    pub fn untrustworthy(&self, name: &str) -> String {
        self.untrustworthy.replace("{name}", name)
    }

    /// "Hand raised (2)": the hand's place in the order hands went up.
    pub fn hand_up(&self, position: usize) -> String {
        self.hand_up.replace("{n}", &position.to_string())
    }

    /// "Screen of Ada": the caption of a shared screen's tile.
    pub fn screen_of(&self, name: &str) -> String {
        self.screen_of.replace("{name}", name)
    }

    pub fn hand_raised_by(&self, name: &str) -> String {
        self.hand_raised_by.replace("{name}", name)
    }

    pub fn safety_number_changed(&self, name: &str) -> String {
        self.safety_number_changed.replace("{name}", name)
    }
}

pub const ENGLISH: Texts = Texts {
    lang: "en",
    language_name: "English",
    language: "Language",
    tagline: "Encrypted video meetings, straight from your browser. Only people with the passphrase can join.",
    start_meeting: "Start a meeting",
    start_failed: "The meeting could not be created: the word list for its passphrase did not load. Check the connection and try again.",
    join_meeting: "Join a meeting",
    meeting_link_label: "Meeting link or name",
    invalid_link: "That is neither a meeting link nor a meeting name.",
    room_name_label: "Meeting name",
    passphrase_label: "Passphrase",
    copy_link: "Copy invite link",
    copy_passphrase: "Copy passphrase",
    copied: "Copied",
    send_separately: "Send the passphrase by a different channel than the link, for example by phone or text message.",
    include_passphrase: "Put the passphrase in the link",
    include_passphrase_warning: "Anyone who gets the link can then join without asking you. The link, passphrase included, also stays in the browser history of everyone who opens it, and in their browser sync. Open it in a private window if you can.",
    go_to_meeting: "Go to the meeting",
    your_name: "Your name",
    camera: "Camera",
    microphone: "Microphone",
    join: "Join",
    weak_passphrase: "This passphrase is weak: someone could guess it. A generated passphrase is safer.",
    passphrase_required: "Enter the passphrase you were given.",
    devices_denied: "The browser was not allowed to use the camera or microphone. Allow it in the site settings (the icon left of the address), or join without them to listen.",
    devices_missing: "No camera or microphone was found. You can join without them and listen.",
    devices_failed: "The camera or microphone could not be started. Close other programs that use it, or join without it.",
    send_file: "Send file",
    send_file_to: "Send file to",
    files: "Files",
    file_limit_hint: "Files up to 2 GiB; drop them onto the meeting or use Send file.",
    file_too_large: "This file is larger than the limit of 2 GiB. Nothing was sent.",
    file_empty: "This file is empty. Nothing was sent.",
    file_nobody: "Nobody is connected yet to receive the file.",
    file_failed: "The transfer broke off. Nothing is offered for saving.",
    file_damaged: "The file arrived damaged (it does not match its checksum). Nothing is offered for saving.",
    file_cancelled: "Cancelled",
    file_sent: "Sent",
    cancel: "Cancel",
    save: "Save",
    devices: "Devices",
    choose_camera: "Choose camera",
    choose_microphone: "Choose microphone",
    choose_speaker: "Choose speaker",
    speaker: "Speaker",
    speaker_default_only: "This browser plays the sound on the system's speaker; choose it in the system settings.",
    microphone_level: "Microphone level",
    microphone_silenced: "Your microphone is muted by the system or by a switch on the device: nothing reaches the browser.",
    camera_disconnected: "Your camera was disconnected. Choose another one under Devices.",
    microphone_disconnected: "Your microphone was disconnected. Choose another one under Devices.",
    deriving_keys: "Deriving the keys from the passphrase…",
    connecting_to_server: "Connecting to the server…",
    server_lost: "Reconnecting to the server",
    waiting_for_others: "Waiting for others",
    verifying: "Checking the passphrase with the others…",
    passphrase_mismatch: "The passphrase does not match this meeting",
    foreign_attempt: "Someone with a different passphrase tried to join",
    joined: "{name} joined",
    left: "{name} left",
    mute: "Mute microphone",
    unmute: "Unmute microphone",
    stop_camera: "Stop camera",
    start_camera: "Start camera",
    leave: "Leave meeting",
    you: "You",
    guest: "Guest",
    participants: "Participants",
    status_connecting: "Connecting",
    status_connected: "Connected",
    status_reconnecting: "Reconnecting",
    status_failed: "Connection failed",
    you_left: "You left the meeting.",
    rejoin: "Rejoin",
    back_home: "Back to the start page",
    room_full: "This meeting is full.",
    server_busy: "The server is busy. Try again in a minute.",
    server_refused: "The server refused the connection",
    cannot_start: "The meeting could not be started in this browser.",
    shortcuts_hint: "Keys: M microphone, V camera, S screen, C chat, P participants, H hand, L leave",
    safety_number: "Safety number",
    safety_number_hint: "Read it aloud to this person by phone or in person: if both of you see the same number, nobody sits in between.",
    unverified_present: "{count} present, not verified",
    mark_verified: "Mark as verified",
    verified: "Verified",
    safety_number_changed: "The safety number of {name} has changed since you marked it as verified. Compare it again before you trust this connection.",
    untrustworthy: "The connection to {name} was not trustworthy and was closed. Someone may be trying to listen in between you.",
    dropped: "{count} messages could not be opened and were dropped.",
    dropped_one: "1 message could not be opened and was dropped.",
    microphone_off: "Microphone off",
    camera_off: "Camera off",
    enter_passphrase_again: "Enter the passphrase again",
    mismatch_hint: "Check the passphrase with the person who invited you, then try again.",
    connection_details: "Connection details",
    hide_ip: "Hide my IP address",
    hide_ip_hint: "All audio and video then goes through the relay server of this site's operator: a little more delay. The relay sees your IP address and how much you send, but cannot read the encrypted media. The others do not see your IP address.",
    hide_ip_required: "The operator of this server requires it: all connections go through its relay server.",
    hide_ip_no_relay: "This server offers no relay server, so your IP address cannot be hidden: the connections are direct.",
    hide_ip_no_relay_in_meeting: "You asked to hide your IP address, but this server offers no relay server. To keep your address hidden, no connection is made. Leave and join again without \"Hide my IP address\" to connect directly.",
    problem_direct_blocked: "The network blocked a direct connection. The operator of this server can add a relay (TURN) server for such networks.",
    problem_relay_failed: "The relay server could not be reached or refused the connection (wrong credentials, for example). This is a problem of the server's operator; tell them.",
    problem_no_relay_to_hide: "Not connected: your IP address stays hidden, and this server offers no relay server.",
    chat: "Chat",
    raise_hand: "Raise hand",
    share_screen: "Share screen",
    stop_sharing: "Stop sharing",
    sharing_banner: "You are sharing your screen",
    screen_denied: "Sharing the screen was not allowed.",
    screen_failed: "The screen could not be shared.",
    screen_of: "Screen of {name}",
    lower_hand: "Lower hand",
    hand_up: "Hand raised ({n})",
    hand_raised_by: "{name} raised their hand",
    chat_message: "Message",
    send: "Send",
    clear_chat: "Clear chat",
    clear_chat_for_everyone: "Clear for everyone",
    chat_empty: "No messages. The chat stays in this browser's memory only and is gone when you leave.",
    chat_too_long: "That message is too long: at most 4,000 characters.",
    chat_cleared_by: "{name} cleared the chat for everyone",
    not_delivered: "not delivered to {names}",
    unread: "{count} unread",
    route_direct: "direct",
    route_relayed: "relayed through the server's relay",
    audio_only: "Audio only",
    audio_only_hint: "No video is sent or received: the lightest call for a weak connection. The camera stays off.",
};

pub const GERMAN: Texts = Texts {
    lang: "de",
    language_name: "Deutsch",
    language: "Sprache",
    tagline: "Verschlüsselte Videokonferenzen direkt im Browser. Nur wer die Passphrase kennt, kann teilnehmen.",
    start_meeting: "Besprechung starten",
    start_failed: "Die Besprechung konnte nicht angelegt werden: Die Wortliste für ihre Passphrase wurde nicht geladen. Prüfen Sie die Verbindung und versuchen Sie es erneut.",
    join_meeting: "An Besprechung teilnehmen",
    meeting_link_label: "Link oder Name der Besprechung",
    invalid_link: "Das ist weder ein Link noch der Name einer Besprechung.",
    room_name_label: "Name der Besprechung",
    passphrase_label: "Passphrase",
    copy_link: "Einladungslink kopieren",
    copy_passphrase: "Passphrase kopieren",
    copied: "Kopiert",
    send_separately: "Schicken Sie die Passphrase auf einem anderen Weg als den Link, etwa per Telefon oder SMS.",
    include_passphrase: "Passphrase in den Link aufnehmen",
    include_passphrase_warning: "Dann kann jede Person, die den Link erhält, ohne Rückfrage teilnehmen. Der Link bleibt samt Passphrase im Browserverlauf aller, die ihn öffnen, und in ihrer Browser-Synchronisierung. Öffnen Sie ihn möglichst in einem privaten Fenster.",
    go_to_meeting: "Zur Besprechung",
    your_name: "Ihr Name",
    camera: "Kamera",
    microphone: "Mikrofon",
    join: "Teilnehmen",
    weak_passphrase: "Diese Passphrase ist schwach und könnte erraten werden. Eine erzeugte Passphrase ist sicherer.",
    passphrase_required: "Geben Sie die Passphrase ein, die Sie erhalten haben.",
    devices_denied: "Der Browser durfte Kamera oder Mikrofon nicht verwenden. Erlauben Sie es in den Website-Einstellungen (Symbol links neben der Adresse) oder nehmen Sie ohne teil, um zuzuhören.",
    devices_missing: "Keine Kamera und kein Mikrofon gefunden. Sie können ohne teilnehmen und zuhören.",
    devices_failed: "Kamera oder Mikrofon ließen sich nicht starten. Schließen Sie andere Programme, die sie nutzen, oder nehmen Sie ohne teil.",
    send_file: "Datei senden",
    send_file_to: "Datei senden an",
    files: "Dateien",
    file_limit_hint: "Dateien bis 2 GiB; ziehen Sie sie in die Besprechung oder nutzen Sie „Datei senden“.",
    file_too_large: "Diese Datei ist größer als die Grenze von 2 GiB. Es wurde nichts gesendet.",
    file_empty: "Diese Datei ist leer. Es wurde nichts gesendet.",
    file_nobody: "Noch ist niemand verbunden, der die Datei empfangen könnte.",
    file_failed: "Die Übertragung brach ab. Es wird nichts zum Speichern angeboten.",
    file_damaged: "Die Datei kam beschädigt an (sie passt nicht zu ihrer Prüfsumme). Es wird nichts zum Speichern angeboten.",
    file_cancelled: "Abgebrochen",
    file_sent: "Gesendet",
    cancel: "Abbrechen",
    save: "Speichern",
    devices: "Geräte",
    choose_camera: "Kamera wählen",
    choose_microphone: "Mikrofon wählen",
    choose_speaker: "Lautsprecher wählen",
    speaker: "Lautsprecher",
    speaker_default_only: "Dieser Browser gibt den Ton über den Lautsprecher des Systems aus; wählen Sie ihn in den Systemeinstellungen.",
    microphone_level: "Mikrofonpegel",
    microphone_silenced: "Ihr Mikrofon ist im System oder per Schalter am Gerät stummgeschaltet: Beim Browser kommt nichts an.",
    camera_disconnected: "Ihre Kamera wurde getrennt. Wählen Sie unter „Geräte“ eine andere.",
    microphone_disconnected: "Ihr Mikrofon wurde getrennt. Wählen Sie unter „Geräte“ ein anderes.",
    deriving_keys: "Schlüssel werden aus der Passphrase abgeleitet …",
    connecting_to_server: "Verbindung zum Server wird aufgebaut …",
    server_lost: "Verbindung zum Server wird wiederhergestellt",
    waiting_for_others: "Warten auf weitere Teilnehmende",
    verifying: "Passphrase wird mit den anderen abgeglichen …",
    passphrase_mismatch: "Die Passphrase passt nicht zu dieser Besprechung",
    foreign_attempt: "Jemand mit einer anderen Passphrase hat versucht teilzunehmen",
    joined: "{name} ist beigetreten",
    left: "{name} hat die Besprechung verlassen",
    mute: "Mikrofon stummschalten",
    unmute: "Mikrofon einschalten",
    stop_camera: "Kamera ausschalten",
    start_camera: "Kamera einschalten",
    leave: "Besprechung verlassen",
    you: "Sie",
    guest: "Gast",
    participants: "Teilnehmende",
    status_connecting: "Verbindung wird aufgebaut",
    status_connected: "Verbunden",
    status_reconnecting: "Verbindung wird wiederhergestellt",
    status_failed: "Verbindung fehlgeschlagen",
    you_left: "Sie haben die Besprechung verlassen.",
    rejoin: "Erneut teilnehmen",
    back_home: "Zur Startseite",
    room_full: "Diese Besprechung ist voll.",
    server_busy: "Der Server ist ausgelastet. Versuchen Sie es in einer Minute erneut.",
    server_refused: "Der Server hat die Verbindung abgelehnt",
    cannot_start: "Die Besprechung ließ sich in diesem Browser nicht starten.",
    shortcuts_hint: "Tasten: M Mikrofon, V Kamera, S Bildschirm, C Chat, P Teilnehmende, H Hand, L Verlassen",
    safety_number: "Sicherheitsnummer",
    safety_number_hint: "Lesen Sie sie dieser Person am Telefon oder persönlich vor: Sehen beide dieselbe Nummer, sitzt niemand dazwischen.",
    unverified_present: "{count} anwesend, nicht verifiziert",
    mark_verified: "Als verifiziert markieren",
    verified: "Verifiziert",
    safety_number_changed: "Die Sicherheitsnummer von {name} hat sich geändert, seit Sie sie als verifiziert markiert haben. Vergleichen Sie sie erneut, bevor Sie dieser Verbindung vertrauen.",
    untrustworthy: "Die Verbindung zu {name} war nicht vertrauenswürdig und wurde getrennt. Möglicherweise versucht jemand, zwischen Ihnen mitzuhören.",
    dropped: "{count} Nachrichten ließen sich nicht öffnen und wurden verworfen.",
    dropped_one: "1 Nachricht ließ sich nicht öffnen und wurde verworfen.",
    microphone_off: "Mikrofon aus",
    camera_off: "Kamera aus",
    enter_passphrase_again: "Passphrase erneut eingeben",
    mismatch_hint: "Prüfen Sie die Passphrase mit der Person, die Sie eingeladen hat, und versuchen Sie es dann erneut.",
    connection_details: "Verbindungsdetails",
    hide_ip: "Meine IP-Adresse verbergen",
    hide_ip_hint: "Dann läuft aller Ton und alles Bild über den Relais-Server des Betreibers dieser Seite: etwas mehr Verzögerung. Das Relais sieht Ihre IP-Adresse und wie viel Sie senden, kann die verschlüsselten Medien aber nicht lesen. Die anderen sehen Ihre IP-Adresse nicht.",
    hide_ip_required: "Der Betreiber dieses Servers verlangt es: Alle Verbindungen laufen über seinen Relais-Server.",
    hide_ip_no_relay: "Dieser Server bietet keinen Relais-Server an, daher lässt sich Ihre IP-Adresse nicht verbergen: Die Verbindungen sind direkt.",
    hide_ip_no_relay_in_meeting: "Sie wollten Ihre IP-Adresse verbergen, aber dieser Server bietet keinen Relais-Server an. Damit Ihre Adresse verborgen bleibt, wird keine Verbindung aufgebaut. Verlassen Sie die Besprechung und nehmen Sie ohne „Meine IP-Adresse verbergen“ erneut teil, um direkt zu verbinden.",
    problem_direct_blocked: "Das Netzwerk hat eine direkte Verbindung blockiert. Der Betreiber dieses Servers kann für solche Netze einen Relais-Server (TURN) einrichten.",
    problem_relay_failed: "Der Relais-Server war nicht erreichbar oder hat die Verbindung abgelehnt (etwa wegen falscher Zugangsdaten). Das ist ein Problem des Serverbetreibers; sagen Sie es ihm.",
    problem_no_relay_to_hide: "Nicht verbunden: Ihre IP-Adresse bleibt verborgen, und dieser Server bietet keinen Relais-Server an.",
    chat: "Chat",
    raise_hand: "Hand heben",
    share_screen: "Bildschirm teilen",
    stop_sharing: "Teilen beenden",
    sharing_banner: "Sie teilen Ihren Bildschirm",
    screen_denied: "Das Teilen des Bildschirms wurde nicht erlaubt.",
    screen_failed: "Der Bildschirm konnte nicht geteilt werden.",
    screen_of: "Bildschirm von {name}",
    lower_hand: "Hand senken",
    hand_up: "Hand gehoben ({n})",
    hand_raised_by: "{name} hebt die Hand",
    chat_message: "Nachricht",
    send: "Senden",
    clear_chat: "Chat leeren",
    clear_chat_for_everyone: "Für alle leeren",
    chat_empty: "Keine Nachrichten. Der Chat bleibt nur im Speicher dieses Browsers und ist beim Verlassen weg.",
    chat_too_long: "Diese Nachricht ist zu lang: höchstens 4.000 Zeichen.",
    chat_cleared_by: "{name} hat den Chat für alle geleert",
    not_delivered: "nicht zugestellt an {names}",
    unread: "{count} ungelesen",
    route_direct: "direkt",
    route_relayed: "über das Relais des Servers",
    audio_only: "Nur Audio",
    audio_only_hint: "Es wird kein Video gesendet oder empfangen: die leichteste Verbindung für schwache Netze. Die Kamera bleibt aus.",
};

/// Every language the app speaks, in the order the switch offers them.
pub const LANGUAGES: [&Texts; 2] = [&ENGLISH, &GERMAN];

/// The language whose code is exactly `code` ("en" or "de"), as the switch and the remembered
/// choice name it; anything else is no choice.
pub fn by_code(code: &str) -> Option<&'static Texts> {
    LANGUAGES.into_iter().find(|texts| texts.lang == code)
}

/// German for browsers that prefer German, English otherwise.
pub fn for_language(language: &str) -> &'static Texts {
    if language.to_ascii_lowercase().starts_with("de") {
        &GERMAN
    } else {
        &ENGLISH
    }
}

// The privacy notice, the imprint and the footer that links them (issue #11).

/// The words of the privacy notice, the imprint and the footer linking them. `{hosts}` is the
/// list of TURN host names.
pub struct LegalTexts {
    /// The footer link, and the privacy notice's short name.
    pub privacy: &'static str,
    /// The footer link and the imprint's heading.
    pub imprint: &'static str,
    /// The accessible name of the footer's navigation.
    pub legal_nav: &'static str,
    /// Said after a footer link that opens in a new tab (in a meeting, so the call goes on).
    pub opens_in_new_tab: &'static str,
    pub privacy_title: &'static str,
    pub loading: &'static str,
    pub load_failed: &'static str,
    pub not_provided: &'static str,
    pub name: &'static str,
    pub address: &'static str,
    pub contact: &'static str,
    pub privacy_intro: &'static str,
    pub controller_heading: &'static str,
    pub controller_text: &'static str,
    pub officer_heading: &'static str,
    pub server_heading: &'static str,
    pub server_intro: &'static str,
    pub server_ip: &'static str,
    pub server_room: &'static str,
    pub server_messages: &'static str,
    pub stored_heading: &'static str,
    pub stored_server: &'static str,
    pub stored_browser: &'static str,
    pub peers_heading: &'static str,
    pub peers_end_to_end: &'static str,
    pub peers_direct: &'static str,
    peers_turn_fallback: &'static str,
    peers_relay_only: &'static str,
    pub purpose_heading: &'static str,
    pub purpose_text: &'static str,
    pub rights_heading: &'static str,
    pub rights_text: &'static str,
    /// Only when the operator named themselves.
    pub rights_contact: &'static str,
    pub complaint_text: &'static str,
    pub imprint_intro: &'static str,
}

impl LegalTexts {
    /// Where a direct connection fails, TURN relays it: what that TURN server sees.
    pub fn peers_turn_fallback(&self, hosts: &str) -> String {
        self.peers_turn_fallback.replace("{hosts}", hosts)
    }

    /// Every connection through TURN: the participants do not see each other's addresses.
    pub fn peers_relay_only(&self, hosts: &str) -> String {
        self.peers_relay_only.replace("{hosts}", hosts)
    }
}

impl Texts {
    /// The privacy notice's and the imprint's words in this language.
    pub fn legal(&self) -> &'static LegalTexts {
        if self.lang == "de" {
            &LEGAL_GERMAN
        } else {
            &LEGAL_ENGLISH
        }
    }
}

pub const LEGAL_ENGLISH: LegalTexts = LegalTexts {
    privacy: "Privacy",
    imprint: "Imprint",
    legal_nav: "Privacy and imprint",
    opens_in_new_tab: "(opens in a new tab)",
    privacy_title: "Privacy notice",
    loading: "Loading the operator's details…",
    load_failed: "The operator's details could not be loaded from this server. Reload the page to try again.",
    not_provided: "The operator of this server has not provided these details.",
    name: "Name",
    address: "Address",
    contact: "Contact",
    privacy_intro: "Stube is a video meeting service that runs in your browser. This notice says what personal data this server and the other participants get when you use it, and what your rights are.",
    controller_heading: "Who is responsible",
    controller_text: "Responsible for this server (the controller under the General Data Protection Regulation, GDPR):",
    officer_heading: "Data protection officer",
    server_heading: "What the server sees",
    server_intro: "To connect the browsers of a meeting, the server sees:",
    server_ip: "your IP address, while your browser is connected to it;",
    server_room: "an opaque room id (a hash of the meeting name, never the name itself);",
    server_messages: "the sizes and times of the sealed messages your browser sends through it to set up its connections. It cannot open them: it never learns your name, the passphrase, or anything you say, show, write or send.",
    stored_heading: "What is stored",
    stored_server: "Nothing. The server keeps a meeting in its memory only while someone is in it, and its logs hold counts, never an IP address or a room id. No cookies are used.",
    stored_browser: "Your browser keeps only your camera and microphone settings (on or off, audio only, and which device, by an opaque id) and the language you chose in its own storage on your device; they are never sent anywhere. Your name and the passphrase are not stored.",
    peers_heading: "What the other participants see",
    peers_end_to_end: "Audio, video, chat and files go directly between the participants' browsers, encrypted end to end with keys from the passphrase: the server cannot see, hear or read them. The others in the meeting see the name you enter and what you share with them.",
    peers_direct: "Because the connections are direct, the browsers in a meeting learn each other's IP addresses.",
    peers_turn_fallback: "Where a direct connection is not possible, it is relayed by this service's TURN server ({hosts}), which then sees the IP addresses of both ends, but only encrypted content.",
    peers_relay_only: "On this server every connection is relayed by its TURN server ({hosts}), so the participants do not learn each other's IP addresses. That TURN server sees the IP addresses of everyone in a meeting, but only encrypted content.",
    purpose_heading: "Purpose",
    purpose_text: "All of the above is processed only to connect the browsers of a meeting. Nothing is analysed, profiled or used for advertising, and the page loads nothing from any other site.",
    rights_heading: "Your rights",
    rights_text: "Under Articles 15 to 21 GDPR you have the right of access, to rectification, to erasure, to restriction of processing, to be told about recipients, to data portability and to object. As the server keeps nothing once you leave, there is usually nothing stored about you to show or erase.",
    rights_contact: "Address requests to the operator named above.",
    complaint_text: "You also have the right to lodge a complaint with a supervisory authority (Article 77 GDPR), in particular in the member state where you live or work or where the infringement took place.",
    imprint_intro: "Who runs this Stube server:",
};

pub const LEGAL_GERMAN: LegalTexts = LegalTexts {
    privacy: "Datenschutz",
    imprint: "Impressum",
    legal_nav: "Datenschutz und Impressum",
    opens_in_new_tab: "(öffnet in einem neuen Tab)",
    privacy_title: "Datenschutzerklärung",
    loading: "Angaben des Betreibers werden geladen …",
    load_failed: "Die Angaben des Betreibers ließen sich nicht von diesem Server laden. Laden Sie die Seite neu, um es erneut zu versuchen.",
    not_provided: "Der Betreiber dieses Servers hat diese Angaben nicht gemacht.",
    name: "Name",
    address: "Anschrift",
    contact: "Kontakt",
    privacy_intro: "Stube ist ein Dienst für Videokonferenzen, der in Ihrem Browser läuft. Diese Erklärung sagt, welche personenbezogenen Daten dieser Server und die anderen Teilnehmenden erhalten, wenn Sie ihn nutzen, und welche Rechte Sie haben.",
    controller_heading: "Verantwortlich",
    controller_text: "Verantwortlich für diesen Server (Verantwortlicher im Sinne der Datenschutz-Grundverordnung, DSGVO):",
    officer_heading: "Datenschutzbeauftragte",
    server_heading: "Was der Server sieht",
    server_intro: "Um die Browser einer Besprechung zu verbinden, sieht der Server:",
    server_ip: "Ihre IP-Adresse, solange Ihr Browser mit ihm verbunden ist;",
    server_room: "eine undurchsichtige Raumkennung (einen Hash des Besprechungsnamens, nie den Namen selbst);",
    server_messages: "Größe und Zeitpunkt der versiegelten Nachrichten, die Ihr Browser über ihn schickt, um seine Verbindungen aufzubauen. Öffnen kann er sie nicht: Ihren Namen, die Passphrase und alles, was Sie sagen, zeigen, schreiben oder senden, erfährt er nie.",
    stored_heading: "Was gespeichert wird",
    stored_server: "Nichts. Der Server hält eine Besprechung nur im Arbeitsspeicher, solange jemand darin ist, und seine Protokolle enthalten nur Zahlen, nie eine IP-Adresse oder Raumkennung. Es werden keine Cookies verwendet.",
    stored_browser: "Ihr Browser merkt sich nur Ihre Einstellungen für Kamera und Mikrofon (an oder aus, nur Audio und welches Gerät, über eine undurchsichtige Kennung) und die gewählte Sprache in seinem eigenen Speicher auf Ihrem Gerät; sie werden nirgendwohin gesendet. Ihr Name und die Passphrase werden nicht gespeichert.",
    peers_heading: "Was die anderen Teilnehmenden sehen",
    peers_end_to_end: "Audio, Video, Chat und Dateien gehen direkt zwischen den Browsern der Teilnehmenden, Ende-zu-Ende-verschlüsselt mit Schlüsseln aus der Passphrase: Der Server kann sie weder sehen noch hören noch lesen. Die anderen in der Besprechung sehen den Namen, den Sie eingeben, und was Sie mit ihnen teilen.",
    peers_direct: "Weil die Verbindungen direkt sind, erfahren die Browser einer Besprechung gegenseitig ihre IP-Adressen.",
    peers_turn_fallback: "Ist eine direkte Verbindung nicht möglich, wird sie über den TURN-Server dieses Dienstes ({hosts}) weitergeleitet, der dann die IP-Adressen beider Seiten sieht, aber nur verschlüsselte Inhalte.",
    peers_relay_only: "Auf diesem Server wird jede Verbindung über seinen TURN-Server ({hosts}) weitergeleitet, sodass die Teilnehmenden die IP-Adressen der anderen nicht erfahren. Dieser TURN-Server sieht die IP-Adressen aller in einer Besprechung, aber nur verschlüsselte Inhalte.",
    purpose_heading: "Zweck",
    purpose_text: "All das wird nur verarbeitet, um die Browser einer Besprechung zu verbinden. Nichts wird ausgewertet, zu Profilen verarbeitet oder für Werbung genutzt, und die Seite lädt nichts von anderen Websites.",
    rights_heading: "Ihre Rechte",
    rights_text: "Nach den Artikeln 15 bis 21 DSGVO haben Sie das Recht auf Auskunft, Berichtigung, Löschung, Einschränkung der Verarbeitung, Unterrichtung über Empfänger, Datenübertragbarkeit und Widerspruch. Da der Server nichts behält, sobald Sie gehen, ist über Sie meist nichts gespeichert, das gezeigt oder gelöscht werden könnte.",
    rights_contact: "Richten Sie Anfragen an den oben genannten Betreiber.",
    complaint_text: "Außerdem haben Sie das Recht, sich bei einer Aufsichtsbehörde zu beschweren (Artikel 77 DSGVO), insbesondere in dem Mitgliedstaat Ihres Aufenthaltsorts, Ihres Arbeitsplatzes oder des Orts des mutmaßlichen Verstoßes.",
    imprint_intro: "Wer diesen Stube-Server betreibt:",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_browsers_get_german_and_everyone_else_english() {
        assert_eq!(for_language("de-AT").lang, "de");
        assert_eq!(for_language("DE").lang, "de");
        assert_eq!(for_language("en-GB").lang, "en");
        assert_eq!(for_language("fr").lang, "en");
    }

    #[test]
    fn a_remembered_choice_is_only_an_exact_code_of_a_language_the_app_speaks() {
        assert_eq!(by_code("de").map(|texts| texts.lang), Some("de"));
        assert_eq!(by_code("en").map(|texts| texts.lang), Some("en"));
        for unknown in ["", "DE", "de-AT", "fr", " en"] {
            assert!(by_code(unknown).is_none(), "{unknown:?} is no choice");
        }
    }

    #[test]
    fn the_switch_names_each_language_in_itself() {
        let names: Vec<_> = LANGUAGES.iter().map(|texts| texts.language_name).collect();
        assert_eq!(names, ["English", "Deutsch"]);
    }

    #[test]
    fn names_fill_the_join_and_leave_toasts() {
        assert_eq!(ENGLISH.joined("Ada"), "Ada joined");
        assert_eq!(GERMAN.left("Ada"), "Ada hat die Besprechung verlassen");
    }

    #[test]
    fn the_legal_pages_follow_the_language_and_name_the_turn_hosts() {
        assert_eq!(ENGLISH.legal().imprint, "Imprint");
        assert_eq!(GERMAN.legal().imprint, "Impressum");
        assert_eq!(GERMAN.legal().privacy, "Datenschutz");
        for legal in [&LEGAL_ENGLISH, &LEGAL_GERMAN] {
            assert!(
                legal
                    .peers_relay_only("turn.example.org")
                    .contains("(turn.example.org)")
            );
            assert!(
                legal
                    .peers_turn_fallback("turn.example.org")
                    .contains("(turn.example.org)")
            );
        }
    }
}
