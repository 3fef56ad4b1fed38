"""German (portable; same names as ``en``, see there). Formal address (Sie), as German
technical documentation usually writes; „deutsche Anführungszeichen“."""


def plural(n: int) -> str:
    """CLDR cardinal rule for German integers: one | other."""
    return "one" if n == 1 else "other"


PROBLEM_SERVER = "Beim Antworten ist ein Problem aufgetreten."
PROBLEM_TIMEOUT = "Der Assistent hat zu lange für die Antwort gebraucht."
PROBLEM_NETWORK = "Verbindung unterbrochen. Prüfen Sie Ihr Netzwerk und versuchen Sie es erneut."
PROBLEM_EMPTY = "Der Assistent hat ohne Antwort aufgehört."
PROBLEM_CONTENT_TYPE = (
    "Der Server des Assistenten hat etwas Unerwartetes gesendet. "
    "Möglicherweise ist er falsch konfiguriert."
)
PROBLEM_PROTOCOL = "Die Antwort kam beschädigt an."
PROBLEM_BUSY = "Zu viele Fragen auf einmal. Bitte warten Sie einen Moment."
PROBLEM_SESSION = "Ihre Chat-Sitzung konnte nicht verlängert werden."
PROBLEM_GONE = "Diese Unterhaltung ist nicht mehr verfügbar. Starten Sie einen neuen Chat."
PROBLEM_REFUSED = "Der Assistent konnte diese Nachricht nicht annehmen."
PROBLEM_UNAVAILABLE = "Der Assistent hat gerade Probleme."
PROBLEM_STATUS = "Der Assistent konnte nicht antworten (Fehler %d)."
SEND_AGAIN = "Erneut senden"
TRY_AGAIN_IN = {"one": "Erneut versuchen in %d s", "other": "Erneut versuchen in %d s"}
SENDING = "Wird gesendet…"
RESPONDING_TEXT = "Der Assistent antwortet…"
ENTRY_NOTES = {
    "failed": "Nicht gesendet",
    "incomplete": "Antwort unvollständig",
    "stopped": "Abgebrochen",
}

GREETING = "Hallo! Fragen Sie mich alles zu dieser Dokumentation."
NEW_CHAT = "Neuer Chat"
CLOSE = "Schließen"
CONVERSATION = "Unterhaltung"
JUMP_TO_LATEST = "Zu den neuesten ↓"
RETRY = "Erneut versuchen"
DISMISS = "Ausblenden"
DISMISS_NOTICE = "Hinweis ausblenden"
COMPOSER_LABEL = "Stellen Sie eine Frage zu dieser Dokumentation"
COMPOSER_PLACEHOLDER = "Stellen Sie eine Frage…"
COMPOSER_HINT = "Eingabetaste sendet, Umschalt+Eingabetaste fügt eine neue Zeile ein."
STOP = "Stopp"
SEND = "Senden"
COPIED = "Kopiert"

ASK_ABOUT_PAGE = "Fragen zu dieser Seite"
PAGE_QUESTION = "Worum geht es auf der Seite „%s“?"
PAGE_QUESTION_UNNAMED = "Worum geht es auf dieser Seite?"
QUOTE_LABEL = "Zitierter Abschnitt"
REMOVE_QUOTE = "Zitat entfernen"
QUOTING = "Zitat: "
ANSWER_ANNOUNCEMENT = "Antwort: %s"

AUTHORS = {"user": "Sie", "assistant": "Assistent"}
ANSWER_ACTIONS = "Aktionen zur Antwort"
COPY = "Kopieren"
HELPFUL = "Hilfreich"
NOT_HELPFUL = "Nicht hilfreich"
REGENERATE = "Neu generieren"
STEP = "Schritt"
STEPS = "Schritte"
WORKING = "Wird bearbeitet…"
STEP_STATES = {"loading": "Läuft", "complete": "Erledigt"}
IMAGE = "Bild"
GENERATING_IMAGE = "Bild wird erstellt…"
OPEN_GENERATED_IMAGE = "Erstelltes Bild öffnen"
GENERATED_IMAGE = "Erstelltes Bild"
WORKED_FOR = {"one": "Bearbeitet in %d s", "other": "Bearbeitet in %d s"}

SOURCES = "Quellen"
COPY_CODE = "Code kopieren"
CODE = "Code"
TABLE = "Tabelle"
IMAGE_PREFIX = "Bild: "
TASK_DONE = "erledigt"
TASK_NOT_DONE = "nicht erledigt"
SOURCE_LABEL = "Quelle %d: %s"

HISTORY = "Verlauf"
HISTORY_TITLE = "Unterhaltungen"
BACK = "Zurück zum Chat"
UNTITLED = "Unterhaltung ohne Titel"
RENAME = "Umbenennen"
DELETE = "Löschen"
DELETE_CONFIRM = "Diese Unterhaltung löschen?"
CANCEL = "Abbrechen"
SAVE = "Speichern"
LOAD_MORE = "Mehr laden"
LOAD_OLDER = "Frühere Nachrichten laden"
HISTORY_EMPTY = "Noch keine Unterhaltungen."
HISTORY_FAILED = "Ihre Unterhaltungen konnten nicht geladen werden."
RESTORE_FAILED = "Diese Unterhaltung konnte nicht geladen werden."
RESUMING = "Antwort wird fertiggestellt…"
TITLE_LABEL = "Titel der Unterhaltung"
SUGGESTIONS = "Vorgeschlagene Fragen"
