"""French (portable; same names as ``en``, see there). Typography: typographic apostrophe,
a no-break space before « : ? » and inside « guillemets »."""


def plural(n: int) -> str:
    """CLDR cardinal rule for French integers: one (0, 1) | many (a non-zero multiple of a
    million: « 1 000 000 de messages ») | other."""
    if n == 0 or n == 1:
        return "one"
    if n % 1000000 == 0:
        return "many"
    return "other"


PROBLEM_SERVER = "L’assistant a rencontré un problème en répondant."
PROBLEM_TIMEOUT = "L’assistant a mis trop de temps à répondre."
PROBLEM_NETWORK = "Connexion perdue. Vérifiez votre réseau et réessayez."
PROBLEM_EMPTY = "L’assistant s’est arrêté sans répondre."
PROBLEM_CONTENT_TYPE = (
    "Le serveur de l’assistant a renvoyé une réponse inattendue. Il est peut-être mal configuré."
)
PROBLEM_PROTOCOL = "La réponse est arrivée illisible."
PROBLEM_BUSY = "Trop de questions à la fois. Patientez un instant."
PROBLEM_SESSION = "Votre session de discussion n’a pas pu être renouvelée."
PROBLEM_GONE = "Cette conversation n’est plus disponible. Commencez une nouvelle discussion."
PROBLEM_REFUSED = "L’assistant n’a pas pu accepter ce message."
PROBLEM_UNAVAILABLE = "L’assistant rencontre des difficultés en ce moment."
PROBLEM_STATUS = "L’assistant n’a pas pu répondre (erreur %d)."
SEND_AGAIN = "Renvoyer"
TRY_AGAIN_IN = {
    "one": "Réessayez dans %d s",
    "many": "Réessayez dans %d s",
    "other": "Réessayez dans %d s",
}
SENDING = "Envoi…"
RESPONDING_TEXT = "L’assistant répond…"
ENTRY_NOTES = {"failed": "Non envoyé", "incomplete": "Réponse incomplète", "stopped": "Interrompue"}

GREETING = "Bonjour\u00a0! Posez-moi vos questions sur cette documentation."
NEW_CHAT = "Nouvelle discussion"
CLOSE = "Fermer"
CONVERSATION = "Conversation"
JUMP_TO_LATEST = "Derniers messages ↓"
RETRY = "Réessayer"
DISMISS = "Masquer"
DISMISS_NOTICE = "Masquer l’avis"
COMPOSER_LABEL = "Posez une question sur cette documentation"
COMPOSER_PLACEHOLDER = "Posez une question…"
COMPOSER_HINT = "Entrée envoie, Maj+Entrée ajoute une ligne."
STOP = "Arrêter"
SEND = "Envoyer"
COPIED = "Copié"

ASK_ABOUT_PAGE = "Poser une question sur cette page"
PAGE_QUESTION = "De quoi parle la page «\u00a0%s\u00a0»\u00a0?"
PAGE_QUESTION_UNNAMED = "De quoi parle cette page\u00a0?"
QUOTE_LABEL = "Passage cité"
REMOVE_QUOTE = "Retirer la citation"
QUOTING = "Citation\u00a0: "
ANSWER_ANNOUNCEMENT = "Réponse\u00a0: %s"

AUTHORS = {"user": "Vous", "assistant": "Assistant"}
ANSWER_ACTIONS = "Actions sur la réponse"
COPY = "Copier"
HELPFUL = "Utile"
NOT_HELPFUL = "Pas utile"
REGENERATE = "Régénérer"
STEP = "Étape"
STEPS = "Étapes"
WORKING = "En cours…"
STEP_STATES = {"loading": "En cours", "complete": "Terminé"}
IMAGE = "Image"
GENERATING_IMAGE = "Génération d’une image…"
OPEN_GENERATED_IMAGE = "Ouvrir l’image générée"
GENERATED_IMAGE = "Image générée"
WORKED_FOR = {
    "one": "Travail effectué en %d s",
    "many": "Travail effectué en %d s",
    "other": "Travail effectué en %d s",
}

SOURCES = "Sources"
COPY_CODE = "Copier le code"
CODE = "code"
TABLE = "Tableau"
IMAGE_PREFIX = "Image\u00a0: "
TASK_DONE = "terminé"
TASK_NOT_DONE = "non terminé"
SOURCE_LABEL = "Source %d\u00a0: %s"

HISTORY = "Historique"
HISTORY_TITLE = "Conversations"
BACK = "Retour à la discussion"
UNTITLED = "Conversation sans titre"
RENAME = "Renommer"
DELETE = "Supprimer"
DELETE_CONFIRM = "Supprimer cette conversation\u00a0?"
CANCEL = "Annuler"
SAVE = "Enregistrer"
LOAD_MORE = "Charger plus"
LOAD_OLDER = "Charger les messages précédents"
HISTORY_EMPTY = "Aucune conversation pour l’instant."
HISTORY_FAILED = "Impossible de charger vos conversations."
RESTORE_FAILED = "Impossible de charger cette conversation."
RESUMING = "Finalisation de la réponse…"
TITLE_LABEL = "Titre de la conversation"
SUGGESTIONS = "Questions suggérées"
