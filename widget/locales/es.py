"""Spanish (portable; same names as ``en``, see there). Informal address (tú), as most
Spanish technical documentation writes; «comillas angulares»."""


def plural(n: int) -> str:
    """CLDR cardinal rule for Spanish integers: one (1) | many (a non-zero multiple of a
    million: «1 000 000 de mensajes») | other."""
    if n == 1:
        return "one"
    if n != 0 and n % 1000000 == 0:
        return "many"
    return "other"


PROBLEM_SERVER = "El asistente tuvo un problema al responder."
PROBLEM_TIMEOUT = "El asistente tardó demasiado en responder."
PROBLEM_NETWORK = "Se perdió la conexión. Comprueba tu red e inténtalo de nuevo."
PROBLEM_EMPTY = "El asistente terminó sin responder."
PROBLEM_CONTENT_TYPE = (
    "El servidor del asistente envió algo inesperado. Puede que esté mal configurado."
)
PROBLEM_PROTOCOL = "La respuesta llegó dañada."
PROBLEM_BUSY = "Demasiadas preguntas a la vez. Espera un momento."
PROBLEM_SESSION = "No se pudo renovar tu sesión de chat."
PROBLEM_GONE = "Esta conversación ya no está disponible. Inicia un chat nuevo."
PROBLEM_REFUSED = "El asistente no pudo aceptar este mensaje."
PROBLEM_UNAVAILABLE = "El asistente tiene problemas en este momento."
PROBLEM_STATUS = "El asistente no pudo responder (error %d)."
SEND_AGAIN = "Enviar de nuevo"
TRY_AGAIN_IN = {
    "one": "Inténtalo de nuevo en %d s",
    "many": "Inténtalo de nuevo en %d s",
    "other": "Inténtalo de nuevo en %d s",
}
SENDING = "Enviando…"
RESPONDING_TEXT = "El asistente está respondiendo…"
ENTRY_NOTES = {"failed": "No enviado", "incomplete": "Respuesta incompleta", "stopped": "Detenida"}

GREETING = "¡Hola! Pregúntame lo que quieras sobre esta documentación."
NEW_CHAT = "Nuevo chat"
CLOSE = "Cerrar"
CONVERSATION = "Conversación"
JUMP_TO_LATEST = "Ir a lo más reciente ↓"
RETRY = "Reintentar"
DISMISS = "Descartar"
DISMISS_NOTICE = "Descartar aviso"
COMPOSER_LABEL = "Haz una pregunta sobre esta documentación"
COMPOSER_PLACEHOLDER = "Haz una pregunta…"
COMPOSER_HINT = "Intro envía; Mayús+Intro añade una línea nueva."
STOP = "Detener"
SEND = "Enviar"
COPIED = "Copiado"

ASK_ABOUT_PAGE = "Preguntar sobre esta página"
PAGE_QUESTION = "¿De qué trata la página «%s»?"
PAGE_QUESTION_UNNAMED = "¿De qué trata esta página?"
QUOTE_LABEL = "Fragmento citado"
REMOVE_QUOTE = "Quitar cita"
QUOTING = "Citando: "
ANSWER_ANNOUNCEMENT = "Respuesta: %s"

AUTHORS = {"user": "Tú", "assistant": "Asistente"}
ANSWER_ACTIONS = "Acciones de la respuesta"
COPY = "Copiar"
HELPFUL = "Útil"
NOT_HELPFUL = "No es útil"
REGENERATE = "Regenerar"
STEP = "Paso"
STEPS = "Pasos"
WORKING = "Trabajando…"
STEP_STATES = {"loading": "En curso", "complete": "Hecho"}
IMAGE = "Imagen"
GENERATING_IMAGE = "Generando una imagen…"
OPEN_GENERATED_IMAGE = "Abrir la imagen generada"
GENERATED_IMAGE = "Imagen generada"
WORKED_FOR = {
    "one": "Trabajó durante %d s",
    "many": "Trabajó durante %d s",
    "other": "Trabajó durante %d s",
}

SOURCES = "Fuentes"
COPY_CODE = "Copiar código"
CODE = "código"
TABLE = "Tabla"
IMAGE_PREFIX = "Imagen: "
TASK_DONE = "hecho"
TASK_NOT_DONE = "pendiente"
SOURCE_LABEL = "Fuente %d: %s"

HISTORY = "Historial"
HISTORY_TITLE = "Conversaciones"
BACK = "Volver al chat"
UNTITLED = "Conversación sin título"
RENAME = "Cambiar nombre"
DELETE = "Eliminar"
DELETE_CONFIRM = "¿Eliminar esta conversación?"
CANCEL = "Cancelar"
SAVE = "Guardar"
LOAD_MORE = "Cargar más"
LOAD_OLDER = "Cargar mensajes anteriores"
HISTORY_EMPTY = "Aún no hay conversaciones."
HISTORY_FAILED = "No se pudieron cargar tus conversaciones."
RESTORE_FAILED = "No se pudo cargar esta conversación."
RESUMING = "Terminando la respuesta…"
TITLE_LABEL = "Título de la conversación"
SUGGESTIONS = "Preguntas sugeridas"
