"""The backend's own words, in the reader's language: the JSON error messages, the docs
answerer's fixed texts, the "took too long" stream error, the fallback thread title.

`negotiate` picks the locale from the request's ``Accept-Language`` (q-values, the language
part of a tag: ``fr-CA`` -> ``fr``; anything unknown or malformed -> ``en``, never an error);
`text` renders one message. Messages are looked up by key; ``{name}`` placeholders are filled
from keyword arguments (other braces, such as a JSON example, are left as they are). Every
locale holds the same keys and the same placeholders as English
(tests/unit/backend/test_messages.py). Logs stay in English (`text(key)`).

The widget has its own catalogue for what it shows (widget/strings.py); these are the words
the server writes itself (docs/contract.md, "Languages").
"""

from __future__ import annotations

import re

DEFAULT = "en"
LOCALES = ("en", "fr", "de", "es", "ar")
# Only the start of a longer header is read, and at most this many language ranges: a
# browser sends a handful.
MAX_HEADER = 512
MAX_RANGES = 32

_RANGE = re.compile(r"^(?:\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)$")
_Q = re.compile(r"^[qQ]\s*=\s*(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def negotiate(header: str | None) -> str:
    """The best supported locale for an ``Accept-Language`` value (RFC 9110 §12.5.4)."""
    if not header:
        return DEFAULT
    ranked: list[tuple[float, int, str]] = []
    for n, part in enumerate(header[:MAX_HEADER].split(",")[:MAX_RANGES]):
        tag, *params = (p.strip() for p in part.split(";"))
        if not _RANGE.match(tag):
            continue
        q = 1.0
        for param in params:
            m = _Q.match(param)
            if m is None:
                q = -1.0  # a malformed weight: skip this range
                break
            q = float(m.group(1))
        if q > 0:
            ranked.append((-q, n, tag.lower()))
    for _, _, tag in sorted(ranked):
        if tag == "*":
            return DEFAULT
        language = tag.split("-", 1)[0]
        if language in CATALOGUE:
            return language
    return DEFAULT


def text(key: str, locale: str = DEFAULT, **params: object) -> str:
    """The message ``key`` in ``locale`` (English if the locale is not known), placeholders
    filled. An unknown key raises `KeyError`: a typo must fail the tests, not reach a user."""
    template = CATALOGUE.get(locale, EN).get(key) or EN[key]
    if not params:
        return template
    return _PLACEHOLDER.sub(
        lambda m: str(params[m.group(1)]) if m.group(1) in params else m.group(0), template
    )


EN: dict[str, str] = {
    # errors.py: the JSON error bodies
    "error.internal": "Something went wrong on our side. Please try again.",
    "error.invalid": "The request is not valid.",
    "error.session": "Your chat session is missing or has expired. Start a new session.",
    "error.headers_too_large": "The request headers are too large.",
    "error.not_found": "Not found.",
    "error.body_timeout": "The request took too long to arrive. Please try again.",
    "error.quota": (
        "This chat session has stored as much as it may. Delete old conversations or start"
        " a new session."
    ),
    # No number in the words: the wait is in Retry-After, and a client counting it down
    # (the widget: "Try again in 12 s") would otherwise show a second, frozen one.
    "error.rate_limited": "Too many requests. Please wait a moment.",
    "error.session_creation": "We couldn't start a chat session. Please try again.",
    "error.method": "This method is not allowed here.",
    "error.cors": "This origin or method is not allowed.",
    # sessions (app.py)
    "session.gone": "This chat session no longer exists. Start a new one.",
    "session.ended": "This chat session has reached its maximum age. Start a new one.",
    "session.cannot_resume": "This chat session can no longer be resumed. Start a new one.",
    "session.resume_as_bearer": (
        "A resume token is not a client secret: trade it for one at /api/chatkit/session."
    ),
    "session.secret_required": (
        "A client secret is required: request one from /api/chatkit/session."
    ),
    "session.bearer_format": "Send the client secret as 'Authorization: Bearer <secret>'.",
    "session.secret_expired": "Your chat session has expired. Refresh the client secret.",
    "session.secret_invalid": "The client secret is not valid. Start a new session.",
    # requests (app.py, server.py, intake.py, headerlimit.py)
    "request.message_not_found": "Message not found.",
    "request.conversation_not_found": "Conversation not found.",
    "request.database_down": "The database is not available.",
    "request.cannot_apply": "This request cannot be applied to the conversation.",
    "request.unsupported": "This server does not support {type}.",
    "request.negative_limit": "params.limit must not be negative.",
    "request.feedback_too_many": "Feedback can name at most {limit} messages at once.",
    "request.retry_not_user": "Only a user message can be retried.",
    "request.not_pending_question": "That item is not a pending question.",
    "request.no_tool_call": "The thread is not waiting for a tool output.",
    "request.stop_body": 'Name the conversation to stop: {"thread_id": "..."}.',
    "request.object_body": "The request body must be a JSON object.",
    "request.body_too_large": "The request body is too large (limit {limit} bytes).",
    "request.headers_too_large": "The request headers are too large (limit {limit} bytes).",
    "request.content_length": "Invalid Content-Length.",
    "request.body_late": "The request body did not arrive within {seconds} seconds.",
    "request.body_incomplete": "The request body was not received completely.",
    "request.not_json": "The request body is not valid JSON.",
    "request.too_deep": "The request is nested too deeply (limit {limit}).",
    "request.unknown_type": "Unknown request type '{type}'.",
    "request.no_type": "The request has no type.",
    "request.bad_params": "Invalid request parameters: {problems}",
    "request.client_message_id": (
        "metadata.client_message_id must be a string of 1 to {limit} characters."
    ),
    "request.quote_too_long": (
        "The quoted passage is too long (limit {limit} characters). Quote a shorter passage."
    ),
    "request.page_field": "metadata.page.{name} must be a string of at most {limit} characters.",
    "request.page": "metadata.page must be an object with the page's url and title.",
    # answers (streaming.py, answerer.py, docs_answerer.py)
    "answer.too_long": "This answer took too long and was stopped.",
    "answer.new_chat": "New chat",
    "answer.nothing_found": (
        "I couldn't find anything about that in the documentation. Try rephrasing the question"
        " or using other keywords."
    ),
    "answer.no_docs": (
        "No documentation has been indexed on this server yet, so I can't look that up."
    ),
    "answer.empty_question": "Ask me a question about the documentation and I'll look it up.",
    "answer.nothing_found_quoted": (
        "I couldn't find the passage you quoted, or anything about it, in the documentation."
        " Try asking the question in your own words."
    ),
    "answer.searching": "Searching the documentation…",
    "answer.lead_one": "Here is the most relevant part of the documentation:",
    "answer.lead_many": "Here are the most relevant parts of the documentation:",
    "answer.lead_on_page_one": (
        "Here is the most relevant part of the documentation, on the page you are reading:"
    ),
    "answer.lead_on_page_many": (
        "Here are the most relevant parts of the documentation, starting with the page you are"
        " reading:"
    ),
    "answer.lead_quoted": "About the passage you quoted, here is what the documentation says:",
    "answer.lead_quoted_on_page": "About the passage you quoted, from the page you are reading:",
    "answer.lead_overview": "Here is what the page you are reading, **{title}**, covers:",
    # the LLM answerer's in-band errors (llm_answerer.py): the details go to the log only
    "answer.llm_timeout": "The language model took too long to answer. Please try again.",
    "answer.llm_busy": (
        "The language model is receiving too many requests right now. Please wait a moment and"
        " try again."
    ),
    "answer.llm_unavailable": (
        "The language model is not available right now. Please try again in a few minutes."
    ),
    "answer.llm_broken": (
        "The language model's answer was cut off or could not be read. Please try again."
    ),
    "answer.llm_setup": (
        "The assistant cannot answer because of a configuration problem on the server. The"
        " site's administrators can find the details in its log."
    ),
}

# French: "vous", no-break spaces before ":" and inside « » as French typography wants.
FR: dict[str, str] = {
    "error.internal": "Une erreur s'est produite de notre côté. Veuillez réessayer.",
    "error.invalid": "La requête n'est pas valide.",
    "error.session": (
        "Votre session de discussion est introuvable ou a expiré. Démarrez une nouvelle session."
    ),
    "error.headers_too_large": "Les en-têtes de la requête sont trop volumineux.",
    "error.not_found": "Introuvable.",
    "error.body_timeout": "La requête a mis trop de temps à arriver. Veuillez réessayer.",
    "error.quota": (
        "Cette session de discussion a atteint sa limite de stockage. Supprimez d'anciennes"
        " conversations ou démarrez une nouvelle session."
    ),
    "error.rate_limited": "Trop de requêtes. Veuillez patienter un instant.",
    "error.session_creation": (
        "Nous n'avons pas pu démarrer de session de discussion. Veuillez réessayer."
    ),
    "error.method": "Cette méthode n'est pas autorisée ici.",
    "error.cors": "Cette origine ou cette méthode n'est pas autorisée.",
    "session.gone": "Cette session de discussion n'existe plus. Démarrez-en une nouvelle.",
    "session.ended": (
        "Cette session de discussion a atteint sa durée maximale. Démarrez-en une nouvelle."
    ),
    "session.cannot_resume": (
        "Cette session de discussion ne peut plus être reprise. Démarrez-en une nouvelle."
    ),
    "session.resume_as_bearer": (
        "Un jeton de reprise n'est pas un secret client\u00a0: échangez-le contre un secret"
        " client sur /api/chatkit/session."
    ),
    "session.secret_required": (
        "Un secret client est requis\u00a0: demandez-en un à /api/chatkit/session."
    ),
    "session.bearer_format": (
        "Envoyez le secret client sous la forme «\u00a0Authorization: Bearer <secret>\u00a0»."
    ),
    "session.secret_expired": (
        "Votre session de discussion a expiré. Renouvelez le secret client."
    ),
    "session.secret_invalid": "Le secret client n'est pas valide. Démarrez une nouvelle session.",
    "request.message_not_found": "Message introuvable.",
    "request.conversation_not_found": "Conversation introuvable.",
    "request.database_down": "La base de données n'est pas disponible.",
    "request.cannot_apply": "Cette requête ne peut pas être appliquée à la conversation.",
    "request.unsupported": "Ce serveur ne prend pas en charge {type}.",
    "request.negative_limit": "params.limit ne doit pas être négatif.",
    "request.feedback_too_many": (
        "Un avis peut porter sur {limit}\u00a0messages au plus à la fois."
    ),
    "request.retry_not_user": "Seul un message de l'utilisateur peut être relancé.",
    "request.not_pending_question": "Cet élément n'est pas une question en attente.",
    "request.no_tool_call": "La conversation n'attend pas de résultat d'outil.",
    "request.stop_body": 'Indiquez la conversation à arrêter\u00a0: {"thread_id": "..."}.',
    "request.object_body": "Le corps de la requête doit être un objet JSON.",
    "request.body_too_large": (
        "Le corps de la requête est trop volumineux (limite\u00a0: {limit}\u00a0octets)."
    ),
    "request.headers_too_large": (
        "Les en-têtes de la requête sont trop volumineux (limite\u00a0: {limit}\u00a0octets)."
    ),
    "request.content_length": "En-tête Content-Length non valide.",
    "request.body_late": ("Le corps de la requête n'est pas arrivé en {seconds}\u00a0secondes."),
    "request.body_incomplete": "Le corps de la requête n'a pas été reçu en entier.",
    "request.not_json": "Le corps de la requête n'est pas du JSON valide.",
    "request.too_deep": "La requête est trop profondément imbriquée (limite\u00a0: {limit}).",
    "request.unknown_type": "Type de requête inconnu\u00a0: «\u00a0{type}\u00a0».",
    "request.no_type": "La requête n'a pas de type.",
    "request.bad_params": "Paramètres de requête non valides\u00a0: {problems}",
    "request.client_message_id": (
        "metadata.client_message_id doit être une chaîne de 1 à {limit}\u00a0caractères."
    ),
    "request.quote_too_long": (
        "Le passage cité est trop long (limite\u00a0: {limit}\u00a0caractères). Citez un passage"
        " plus court."
    ),
    "request.page_field": (
        "metadata.page.{name} doit être une chaîne d'au plus {limit}\u00a0caractères."
    ),
    "request.page": "metadata.page doit être un objet contenant l'URL et le titre de la page.",
    "answer.too_long": "Cette réponse prenait trop de temps et a été interrompue.",
    "answer.new_chat": "Nouvelle discussion",
    "answer.nothing_found": (
        "Je n'ai rien trouvé à ce sujet dans la documentation. Essayez de reformuler la question"
        " ou d'utiliser d'autres mots-clés."
    ),
    "answer.no_docs": (
        "Aucune documentation n'a encore été indexée sur ce serveur\u00a0: je ne peux donc pas"
        " faire cette recherche."
    ),
    "answer.empty_question": (
        "Posez-moi une question sur la documentation et je ferai la recherche."
    ),
    "answer.nothing_found_quoted": (
        "Je n'ai trouvé dans la documentation ni le passage que vous avez cité, ni rien à son"
        " sujet. Essayez de poser la question avec vos propres mots."
    ),
    "answer.searching": "Recherche dans la documentation…",
    "answer.lead_one": "Voici la partie la plus pertinente de la documentation\u00a0:",
    "answer.lead_many": "Voici les parties les plus pertinentes de la documentation\u00a0:",
    "answer.lead_on_page_one": (
        "Voici la partie la plus pertinente de la documentation, sur la page que vous lisez\u00a0:"
    ),
    "answer.lead_on_page_many": (
        "Voici les parties les plus pertinentes de la documentation, en commençant par la page"
        " que vous lisez\u00a0:"
    ),
    "answer.lead_quoted": (
        "Au sujet du passage que vous avez cité, voici ce que dit la documentation\u00a0:"
    ),
    "answer.lead_quoted_on_page": (
        "Au sujet du passage que vous avez cité, d'après la page que vous lisez\u00a0:"
    ),
    "answer.lead_overview": "Voici ce que couvre la page que vous lisez, **{title}**\u00a0:",
    "answer.llm_timeout": (
        "Le modèle de langage a mis trop de temps à répondre. Veuillez réessayer."
    ),
    "answer.llm_busy": (
        "Le modèle de langage reçoit trop de requêtes en ce moment. Veuillez patienter un instant"
        " puis réessayer."
    ),
    "answer.llm_unavailable": (
        "Le modèle de langage n'est pas disponible pour le moment. Veuillez réessayer dans"
        " quelques minutes."
    ),
    "answer.llm_broken": (
        "La réponse du modèle de langage a été interrompue ou n'a pas pu être lue. Veuillez"
        " réessayer."
    ),
    "answer.llm_setup": (
        "L'assistant ne peut pas répondre à cause d'un problème de configuration du serveur. Les"
        " administrateurs du site en trouveront le détail dans son journal."
    ),
}

# German: "Sie".
DE: dict[str, str] = {
    "error.internal": "Bei uns ist etwas schiefgelaufen. Bitte versuchen Sie es erneut.",
    "error.invalid": "Die Anfrage ist ungültig.",
    "error.session": ("Ihre Chatsitzung fehlt oder ist abgelaufen. Starten Sie eine neue Sitzung."),
    "error.headers_too_large": "Die Header der Anfrage sind zu groß.",
    "error.not_found": "Nicht gefunden.",
    "error.body_timeout": (
        "Die Anfrage hat zu lange gebraucht, um anzukommen. Bitte versuchen Sie es erneut."
    ),
    "error.quota": (
        "Diese Chatsitzung hat ihren Speicherplatz ausgeschöpft. Löschen Sie alte Unterhaltungen"
        " oder starten Sie eine neue Sitzung."
    ),
    "error.rate_limited": "Zu viele Anfragen. Bitte warten Sie einen Moment.",
    "error.session_creation": (
        "Wir konnten keine Chatsitzung starten. Bitte versuchen Sie es erneut."
    ),
    "error.method": "Diese Methode ist hier nicht erlaubt.",
    "error.cors": "Dieser Ursprung oder diese Methode ist nicht erlaubt.",
    "session.gone": "Diese Chatsitzung existiert nicht mehr. Starten Sie eine neue.",
    "session.ended": "Diese Chatsitzung hat ihre maximale Dauer erreicht. Starten Sie eine neue.",
    "session.cannot_resume": (
        "Diese Chatsitzung kann nicht mehr fortgesetzt werden. Starten Sie eine neue."
    ),
    "session.resume_as_bearer": (
        "Ein Fortsetzungstoken ist kein Client-Secret: Tauschen Sie es unter"
        " /api/chatkit/session gegen eines ein."
    ),
    "session.secret_required": (
        "Ein Client-Secret ist erforderlich: Fordern Sie eines unter /api/chatkit/session an."
    ),
    "session.bearer_format": ("Senden Sie das Client-Secret als „Authorization: Bearer <secret>“."),
    "session.secret_expired": "Ihre Chatsitzung ist abgelaufen. Erneuern Sie das Client-Secret.",
    "session.secret_invalid": "Das Client-Secret ist ungültig. Starten Sie eine neue Sitzung.",
    "request.message_not_found": "Nachricht nicht gefunden.",
    "request.conversation_not_found": "Unterhaltung nicht gefunden.",
    "request.database_down": "Die Datenbank ist nicht verfügbar.",
    "request.cannot_apply": "Diese Anfrage kann nicht auf die Unterhaltung angewendet werden.",
    "request.unsupported": "Dieser Server unterstützt {type} nicht.",
    "request.negative_limit": "params.limit darf nicht negativ sein.",
    "request.feedback_too_many": (
        "Eine Bewertung kann höchstens {limit} Nachrichten auf einmal betreffen."
    ),
    "request.retry_not_user": "Nur eine Nachricht des Nutzers kann wiederholt werden.",
    "request.not_pending_question": "Dieses Element ist keine offene Frage.",
    "request.no_tool_call": "Die Unterhaltung wartet nicht auf das Ergebnis eines Werkzeugs.",
    "request.stop_body": (
        'Nennen Sie die Unterhaltung, die gestoppt werden soll: {"thread_id": "..."}.'
    ),
    "request.object_body": "Der Rumpf der Anfrage muss ein JSON-Objekt sein.",
    "request.body_too_large": "Der Rumpf der Anfrage ist zu groß (Grenze: {limit} Byte).",
    "request.headers_too_large": "Die Header der Anfrage sind zu groß (Grenze: {limit} Byte).",
    "request.content_length": "Ungültiger Content-Length-Header.",
    "request.body_late": (
        "Der Rumpf der Anfrage ist nicht innerhalb von {seconds} Sekunden angekommen."
    ),
    "request.body_incomplete": "Der Rumpf der Anfrage wurde nicht vollständig empfangen.",
    "request.not_json": "Der Rumpf der Anfrage ist kein gültiges JSON.",
    "request.too_deep": "Die Anfrage ist zu tief verschachtelt (Grenze: {limit}).",
    "request.unknown_type": "Unbekannter Anfragetyp „{type}“.",
    "request.no_type": "Die Anfrage hat keinen Typ.",
    "request.bad_params": "Ungültige Anfrageparameter: {problems}",
    "request.client_message_id": (
        "metadata.client_message_id muss eine Zeichenkette mit 1 bis {limit} Zeichen sein."
    ),
    "request.quote_too_long": (
        "Die zitierte Passage ist zu lang (Grenze: {limit} Zeichen). Zitieren Sie eine kürzere"
        " Passage."
    ),
    "request.page_field": (
        "metadata.page.{name} muss eine Zeichenkette mit höchstens {limit} Zeichen sein."
    ),
    "request.page": "metadata.page muss ein Objekt mit der URL und dem Titel der Seite sein.",
    "answer.too_long": "Diese Antwort hat zu lange gedauert und wurde abgebrochen.",
    "answer.new_chat": "Neuer Chat",
    "answer.nothing_found": (
        "Dazu habe ich in der Dokumentation nichts gefunden. Formulieren Sie die Frage um oder"
        " verwenden Sie andere Suchbegriffe."
    ),
    "answer.no_docs": (
        "Auf diesem Server wurde noch keine Dokumentation indexiert, daher kann ich das nicht"
        " nachschlagen."
    ),
    "answer.empty_question": (
        "Stellen Sie mir eine Frage zur Dokumentation, und ich schlage es für Sie nach."
    ),
    "answer.nothing_found_quoted": (
        "Ich habe die zitierte Passage und auch nichts dazu in der Dokumentation gefunden."
        " Stellen Sie die Frage am besten mit Ihren eigenen Worten."
    ),
    "answer.searching": "Dokumentation wird durchsucht …",
    "answer.lead_one": "Hier ist der relevanteste Teil der Dokumentation:",
    "answer.lead_many": "Hier sind die relevantesten Teile der Dokumentation:",
    "answer.lead_on_page_one": (
        "Hier ist der relevanteste Teil der Dokumentation, auf der Seite, die Sie gerade lesen:"
    ),
    "answer.lead_on_page_many": (
        "Hier sind die relevantesten Teile der Dokumentation, beginnend mit der Seite, die Sie"
        " gerade lesen:"
    ),
    "answer.lead_quoted": "Zur zitierten Passage sagt die Dokumentation Folgendes:",
    "answer.lead_quoted_on_page": ("Zur zitierten Passage, aus der Seite, die Sie gerade lesen:"),
    "answer.lead_overview": "Darum geht es auf der Seite, die Sie gerade lesen, **{title}**:",
    "answer.llm_timeout": (
        "Das Sprachmodell hat zu lange für die Antwort gebraucht. Bitte versuchen Sie es erneut."
    ),
    "answer.llm_busy": (
        "Das Sprachmodell erhält gerade zu viele Anfragen. Bitte warten Sie einen Moment und"
        " versuchen Sie es dann erneut."
    ),
    "answer.llm_unavailable": (
        "Das Sprachmodell ist gerade nicht erreichbar. Bitte versuchen Sie es in ein paar"
        " Minuten erneut."
    ),
    "answer.llm_broken": (
        "Die Antwort des Sprachmodells wurde abgebrochen oder war nicht lesbar. Bitte versuchen"
        " Sie es erneut."
    ),
    "answer.llm_setup": (
        "Der Assistent kann wegen eines Konfigurationsproblems auf dem Server nicht antworten."
        " Die Administratoren der Website finden die Einzelheiten in dessen Protokoll."
    ),
}

# Spanish: "tú", as most documentation sites in Spanish address the reader.
ES: dict[str, str] = {
    "error.internal": "Algo salió mal por nuestra parte. Vuelve a intentarlo.",
    "error.invalid": "La solicitud no es válida.",
    "error.session": "Tu sesión de chat no existe o ha caducado. Inicia una nueva sesión.",
    "error.headers_too_large": "Los encabezados de la solicitud son demasiado grandes.",
    "error.not_found": "No se ha encontrado.",
    "error.body_timeout": "La solicitud tardó demasiado en llegar. Vuelve a intentarlo.",
    "error.quota": (
        "Esta sesión de chat ya ha guardado todo lo que puede. Elimina conversaciones antiguas"
        " o inicia una nueva sesión."
    ),
    "error.rate_limited": "Demasiadas solicitudes. Espera un momento.",
    "error.session_creation": "No pudimos iniciar una sesión de chat. Vuelve a intentarlo.",
    "error.method": "Este método no está permitido aquí.",
    "error.cors": "Este origen o este método no están permitidos.",
    "session.gone": "Esta sesión de chat ya no existe. Inicia una nueva.",
    "session.ended": "Esta sesión de chat ha alcanzado su duración máxima. Inicia una nueva.",
    "session.cannot_resume": "Esta sesión de chat ya no se puede reanudar. Inicia una nueva.",
    "session.resume_as_bearer": (
        "Un token de reanudación no es un secreto de cliente: cámbialo por uno en"
        " /api/chatkit/session."
    ),
    "session.secret_required": (
        "Se necesita un secreto de cliente: solicita uno en /api/chatkit/session."
    ),
    "session.bearer_format": ("Envía el secreto de cliente como «Authorization: Bearer <secret>»."),
    "session.secret_expired": "Tu sesión de chat ha caducado. Renueva el secreto de cliente.",
    "session.secret_invalid": "El secreto de cliente no es válido. Inicia una nueva sesión.",
    "request.message_not_found": "No se ha encontrado el mensaje.",
    "request.conversation_not_found": "No se ha encontrado la conversación.",
    "request.database_down": "La base de datos no está disponible.",
    "request.cannot_apply": "Esta solicitud no se puede aplicar a la conversación.",
    "request.unsupported": "Este servidor no admite {type}.",
    "request.negative_limit": "params.limit no puede ser negativo.",
    "request.feedback_too_many": (
        "Una valoración puede abarcar como máximo {limit} mensajes a la vez."
    ),
    "request.retry_not_user": "Solo se puede reintentar un mensaje del usuario.",
    "request.not_pending_question": "Ese elemento no es una pregunta pendiente.",
    "request.no_tool_call": "La conversación no está esperando el resultado de una herramienta.",
    "request.stop_body": 'Indica la conversación que quieres detener: {"thread_id": "..."}.',
    "request.object_body": "El cuerpo de la solicitud debe ser un objeto JSON.",
    "request.body_too_large": (
        "El cuerpo de la solicitud es demasiado grande (límite: {limit} bytes)."
    ),
    "request.headers_too_large": (
        "Los encabezados de la solicitud son demasiado grandes (límite: {limit} bytes)."
    ),
    "request.content_length": "Encabezado Content-Length no válido.",
    "request.body_late": "El cuerpo de la solicitud no llegó en {seconds} segundos.",
    "request.body_incomplete": "El cuerpo de la solicitud no se recibió completo.",
    "request.not_json": "El cuerpo de la solicitud no es JSON válido.",
    "request.too_deep": "La solicitud tiene demasiados niveles de anidamiento (límite: {limit}).",
    "request.unknown_type": "Tipo de solicitud desconocido: «{type}».",
    "request.no_type": "La solicitud no tiene tipo.",
    "request.bad_params": "Parámetros de solicitud no válidos: {problems}",
    "request.client_message_id": (
        "metadata.client_message_id debe ser una cadena de 1 a {limit} caracteres."
    ),
    "request.quote_too_long": (
        "El pasaje citado es demasiado largo (límite: {limit} caracteres). Cita un pasaje más"
        " corto."
    ),
    "request.page_field": (
        "metadata.page.{name} debe ser una cadena de {limit} caracteres como máximo."
    ),
    "request.page": "metadata.page debe ser un objeto con la URL y el título de la página.",
    "answer.too_long": "Esta respuesta tardó demasiado y se detuvo.",
    "answer.new_chat": "Nuevo chat",
    "answer.nothing_found": (
        "No encontré nada sobre eso en la documentación. Prueba a reformular la pregunta o a"
        " usar otras palabras clave."
    ),
    "answer.no_docs": (
        "Todavía no se ha indexado documentación en este servidor, así que no puedo buscarlo."
    ),
    "answer.empty_question": "Hazme una pregunta sobre la documentación y la buscaré.",
    "answer.nothing_found_quoted": (
        "No encontré en la documentación el pasaje que citaste ni nada sobre él. Prueba a hacer"
        " la pregunta con tus propias palabras."
    ),
    "answer.searching": "Buscando en la documentación…",
    "answer.lead_one": "Esta es la parte más relevante de la documentación:",
    "answer.lead_many": "Estas son las partes más relevantes de la documentación:",
    "answer.lead_on_page_one": (
        "Esta es la parte más relevante de la documentación, en la página que estás leyendo:"
    ),
    "answer.lead_on_page_many": (
        "Estas son las partes más relevantes de la documentación, empezando por la página que"
        " estás leyendo:"
    ),
    "answer.lead_quoted": "Sobre el pasaje que citaste, esto es lo que dice la documentación:",
    "answer.lead_quoted_on_page": ("Sobre el pasaje que citaste, de la página que estás leyendo:"),
    "answer.lead_overview": "Esto es lo que trata la página que estás leyendo, **{title}**:",
    "answer.llm_timeout": (
        "El modelo de lenguaje tardó demasiado en responder. Inténtalo de nuevo."
    ),
    "answer.llm_busy": (
        "El modelo de lenguaje está recibiendo demasiadas solicitudes ahora mismo. Espera un"
        " momento y vuelve a intentarlo."
    ),
    "answer.llm_unavailable": (
        "El modelo de lenguaje no está disponible en este momento. Inténtalo de nuevo dentro de"
        " unos minutos."
    ),
    "answer.llm_broken": (
        "La respuesta del modelo de lenguaje se cortó o no se pudo leer. Inténtalo de nuevo."
    ),
    "answer.llm_setup": (
        "El asistente no puede responder por un problema de configuración del servidor. Los"
        " administradores del sitio encontrarán los detalles en su registro."
    ),
}

# Arabic (Modern Standard Arabic). Identifiers, paths and JSON stay in Latin script; the
# widget lays the text out right to left.
AR: dict[str, str] = {
    "error.internal": "حدث خطأ من جهتنا. يُرجى المحاولة مرة أخرى.",
    "error.invalid": "الطلب غير صالح.",
    "error.session": "جلسة المحادثة غير موجودة أو انتهت صلاحيتها. ابدأ جلسة جديدة.",
    "error.headers_too_large": "ترويسات الطلب كبيرة جدًا.",
    "error.not_found": "غير موجود.",
    "error.body_timeout": "استغرق وصول الطلب وقتًا طويلًا جدًا. يُرجى المحاولة مرة أخرى.",
    "error.quota": (
        "بلغت جلسة المحادثة هذه الحد الأقصى لما يمكنها تخزينه. احذف محادثات قديمة أو ابدأ"
        " جلسة جديدة."
    ),
    "error.rate_limited": "طلبات كثيرة جدًا. يُرجى الانتظار قليلًا.",
    "error.session_creation": "تعذّر بدء جلسة محادثة. يُرجى المحاولة مرة أخرى.",
    "error.method": "هذه الطريقة غير مسموح بها هنا.",
    "error.cors": "هذا المصدر أو هذه الطريقة غير مسموح بهما.",
    "session.gone": "لم تعد جلسة المحادثة هذه موجودة. ابدأ جلسة جديدة.",
    "session.ended": "بلغت جلسة المحادثة هذه أقصى مدة لها. ابدأ جلسة جديدة.",
    "session.cannot_resume": "لم يعد بالإمكان استئناف جلسة المحادثة هذه. ابدأ جلسة جديدة.",
    "session.resume_as_bearer": (
        "رمز الاستئناف ليس سرّ عميل: استبدله بسرّ عميل عبر /api/chatkit/session."
    ),
    "session.secret_required": "يلزم سرّ عميل: اطلبه من /api/chatkit/session.",
    "session.bearer_format": "أرسل سرّ العميل بالصيغة «Authorization: Bearer <secret>».",
    "session.secret_expired": "انتهت صلاحية جلسة المحادثة. جدّد سرّ العميل.",
    "session.secret_invalid": "سرّ العميل غير صالح. ابدأ جلسة جديدة.",
    "request.message_not_found": "الرسالة غير موجودة.",
    "request.conversation_not_found": "المحادثة غير موجودة.",
    "request.database_down": "قاعدة البيانات غير متاحة.",
    "request.cannot_apply": "لا يمكن تطبيق هذا الطلب على المحادثة.",
    "request.unsupported": "لا يدعم هذا الخادم {type}.",
    "request.negative_limit": "يجب ألا تكون قيمة params.limit سالبة.",
    "request.feedback_too_many": "يمكن أن يشمل التقييم {limit} رسالة على الأكثر في المرة الواحدة.",
    "request.retry_not_user": "لا يمكن إعادة المحاولة إلا لرسالة من المستخدم.",
    "request.not_pending_question": "هذا العنصر ليس سؤالًا بانتظار الإجابة.",
    "request.no_tool_call": "المحادثة لا تنتظر نتيجة أداة.",
    "request.stop_body": 'حدّد المحادثة المراد إيقافها: {"thread_id": "..."}.',
    "request.object_body": "يجب أن يكون متن الطلب كائن JSON.",
    "request.body_too_large": "متن الطلب كبير جدًا (الحد: {limit} بايت).",
    "request.headers_too_large": "ترويسات الطلب كبيرة جدًا (الحد: {limit} بايت).",
    "request.content_length": "قيمة Content-Length غير صالحة.",
    "request.body_late": "لم يصل متن الطلب خلال {seconds} ثانية.",
    "request.body_incomplete": "لم يُستلم متن الطلب كاملًا.",
    "request.not_json": "متن الطلب ليس JSON صالحًا.",
    "request.too_deep": "مستويات التداخل في الطلب كثيرة جدًا (الحد: {limit}).",
    "request.unknown_type": "نوع طلب غير معروف: «{type}».",
    "request.no_type": "الطلب بلا نوع.",
    "request.bad_params": "معاملات الطلب غير صالحة: {problems}",
    "request.client_message_id": (
        "يجب أن تكون قيمة metadata.client_message_id نصًا من 1 إلى {limit} حرف."
    ),
    "request.quote_too_long": ("المقطع المقتبس طويل جدًا (الحد: {limit} حرف). اقتبس مقطعًا أقصر."),
    "request.page_field": "يجب أن تكون قيمة metadata.page.{name} نصًا لا يتجاوز {limit} حرف.",
    "request.page": "يجب أن تكون قيمة metadata.page كائنًا يحوي عنوان URL الصفحة وعنوانها.",
    "answer.too_long": "استغرقت هذه الإجابة وقتًا طويلًا جدًا فأُوقفت.",
    "answer.new_chat": "محادثة جديدة",
    "answer.nothing_found": (
        "لم أجد شيئًا عن ذلك في التوثيق. جرّب إعادة صياغة السؤال أو استخدام كلمات مفتاحية أخرى."
    ),
    "answer.no_docs": "لم يُفهرَس أي توثيق على هذا الخادم بعد، لذا لا يمكنني البحث عن ذلك.",
    "answer.empty_question": "اطرح عليّ سؤالًا عن التوثيق وسأبحث لك عن الإجابة.",
    "answer.nothing_found_quoted": (
        "لم أجد في التوثيق المقطع الذي اقتبسته ولا أي شيء عنه. جرّب طرح السؤال بكلماتك الخاصة."
    ),
    "answer.searching": "جارٍ البحث في التوثيق…",
    "answer.lead_one": "إليك الجزء الأكثر صلة من التوثيق:",
    "answer.lead_many": "إليك الأجزاء الأكثر صلة من التوثيق:",
    "answer.lead_on_page_one": "إليك الجزء الأكثر صلة من التوثيق، في الصفحة التي تقرؤها:",
    "answer.lead_on_page_many": ("إليك الأجزاء الأكثر صلة من التوثيق، بدءًا بالصفحة التي تقرؤها:"),
    "answer.lead_quoted": "بخصوص المقطع الذي اقتبسته، إليك ما يقوله التوثيق:",
    "answer.lead_quoted_on_page": "بخصوص المقطع الذي اقتبسته، من الصفحة التي تقرؤها:",
    "answer.lead_overview": "إليك ما تتناوله الصفحة التي تقرؤها، **{title}**:",
    "answer.llm_timeout": (
        "استغرق النموذج اللغوي وقتًا طويلًا جدًا في الإجابة. يُرجى المحاولة مرة أخرى."
    ),
    "answer.llm_busy": (
        "يتلقى النموذج اللغوي طلبات كثيرة جدًا الآن. يُرجى الانتظار قليلًا ثم المحاولة مرة أخرى."
    ),
    "answer.llm_unavailable": (
        "النموذج اللغوي غير متاح حاليًا. يُرجى المحاولة مرة أخرى بعد بضع دقائق."
    ),
    "answer.llm_broken": "انقطعت إجابة النموذج اللغوي أو تعذّرت قراءتها. يُرجى المحاولة مرة أخرى.",
    "answer.llm_setup": (
        "لا يستطيع المساعد الإجابة بسبب مشكلة في إعدادات الخادم."
        " يجد مسؤولو الموقع التفاصيل في سجلّه."
    ),
}

CATALOGUE: dict[str, dict[str, str]] = {"en": EN, "fr": FR, "de": DE, "es": ES, "ar": AR}
