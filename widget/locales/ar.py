"""Arabic (portable; same names as ``en``, see there). Modern Standard Arabic, written right
to left (the loader sets dir="rtl" on the host: static/loader.js), Arabic comma and question
mark (، ؟), «guillemets», digits as the server and the code write them (0-9).

Plural phrases use all six CLDR forms: the singular and the dual carry no digit ("ثانية
واحدة", "ثانيتين"), 3-10 take the plural noun, 11-99 the singular accusative noun."""


def plural(n: int) -> str:
    """CLDR cardinal rule for Arabic integers: zero | one | two | few (n % 100 in 3..10) |
    many (n % 100 in 11..99) | other (100, 101, 102, ...)."""
    if n == 0:
        return "zero"
    if n == 1:
        return "one"
    if n == 2:
        return "two"
    rest = n % 100
    if 3 <= rest <= 10:
        return "few"
    if 11 <= rest <= 99:
        return "many"
    return "other"


PROBLEM_SERVER = "واجه المساعد مشكلة أثناء الإجابة."
PROBLEM_TIMEOUT = "استغرق المساعد وقتًا طويلًا في الرد."
PROBLEM_NETWORK = "انقطع الاتصال. تحقّق من الشبكة وحاول مرة أخرى."
PROBLEM_EMPTY = "انتهى المساعد دون أن يجيب."
PROBLEM_CONTENT_TYPE = "أرسل خادم المساعد ردًا غير متوقع. قد تكون إعداداته غير صحيحة."
PROBLEM_PROTOCOL = "وصلت الإجابة مشوّهة."
PROBLEM_BUSY = "أسئلة كثيرة في وقت واحد. يُرجى الانتظار لحظة."
PROBLEM_SESSION = "تعذّر تجديد جلسة المحادثة."
PROBLEM_GONE = "لم تعد هذه المحادثة متاحة. ابدأ محادثة جديدة."
PROBLEM_REFUSED = "تعذّر على المساعد قبول هذه الرسالة."
PROBLEM_UNAVAILABLE = "يواجه المساعد صعوبات في الوقت الحالي."
PROBLEM_STATUS = "تعذّر على المساعد الإجابة (خطأ %d)."
SEND_AGAIN = "إعادة الإرسال"
TRY_AGAIN_IN = {
    "zero": "حاول مرة أخرى بعد %d ثانية",
    "one": "حاول مرة أخرى بعد ثانية واحدة",
    "two": "حاول مرة أخرى بعد ثانيتين",
    "few": "حاول مرة أخرى بعد %d ثوانٍ",
    "many": "حاول مرة أخرى بعد %d ثانية",
    "other": "حاول مرة أخرى بعد %d ثانية",
}
SENDING = "جارٍ الإرسال…"
RESPONDING_TEXT = "المساعد يجيب…"
ENTRY_NOTES = {"failed": "لم تُرسَل", "incomplete": "إجابة غير مكتملة", "stopped": "أُوقفت"}

GREETING = "مرحبًا! اسألني أي شيء عن هذه الوثائق."
NEW_CHAT = "محادثة جديدة"
CLOSE = "إغلاق"
CONVERSATION = "المحادثة"
JUMP_TO_LATEST = "الانتقال إلى الأحدث ↓"
RETRY = "إعادة المحاولة"
DISMISS = "تجاهل"
DISMISS_NOTICE = "تجاهل التنبيه"
COMPOSER_LABEL = "اطرح سؤالًا عن هذه الوثائق"
COMPOSER_PLACEHOLDER = "اطرح سؤالًا…"
COMPOSER_HINT = "يرسل Enter الرسالة، ويضيف Shift+Enter سطرًا جديدًا."
STOP = "إيقاف"
SEND = "إرسال"
COPIED = "تم النسخ"

ASK_ABOUT_PAGE = "اسأل عن هذه الصفحة"
PAGE_QUESTION = "عمّ تتحدث صفحة «%s»؟"
PAGE_QUESTION_UNNAMED = "عمّ تتحدث هذه الصفحة؟"
QUOTE_LABEL = "مقطع مقتبس"
REMOVE_QUOTE = "إزالة الاقتباس"
QUOTING = "اقتباس: "
ANSWER_ANNOUNCEMENT = "الإجابة: %s"

AUTHORS = {"user": "أنت", "assistant": "المساعد"}
ANSWER_ACTIONS = "إجراءات الإجابة"
COPY = "نسخ"
HELPFUL = "مفيدة"
NOT_HELPFUL = "غير مفيدة"
REGENERATE = "إعادة إنشاء الإجابة"
STEP = "خطوة"
STEPS = "الخطوات"
WORKING = "جارٍ العمل…"
STEP_STATES = {"loading": "قيد التنفيذ", "complete": "تمّت"}
IMAGE = "صورة"
GENERATING_IMAGE = "جارٍ إنشاء صورة…"
OPEN_GENERATED_IMAGE = "فتح الصورة المُنشأة"
GENERATED_IMAGE = "صورة مُنشأة"
WORKED_FOR = {
    "zero": "استغرق العمل %d ثانية",
    "one": "استغرق العمل ثانية واحدة",
    "two": "استغرق العمل ثانيتين",
    "few": "استغرق العمل %d ثوانٍ",
    "many": "استغرق العمل %d ثانية",
    "other": "استغرق العمل %d ثانية",
}

SOURCES = "المصادر"
COPY_CODE = "نسخ الشيفرة"
CODE = "شيفرة"
TABLE = "جدول"
IMAGE_PREFIX = "صورة: "
TASK_DONE = "مكتملة"
TASK_NOT_DONE = "غير مكتملة"
SOURCE_LABEL = "المصدر %d: %s"

HISTORY = "السجل"
HISTORY_TITLE = "المحادثات"
BACK = "العودة إلى المحادثة"
UNTITLED = "محادثة بلا عنوان"
RENAME = "إعادة التسمية"
DELETE = "حذف"
DELETE_CONFIRM = "هل تريد حذف هذه المحادثة؟"
CANCEL = "إلغاء"
SAVE = "حفظ"
LOAD_MORE = "تحميل المزيد"
LOAD_OLDER = "تحميل الرسائل السابقة"
HISTORY_EMPTY = "لا توجد محادثات بعد."
HISTORY_FAILED = "تعذّر تحميل محادثاتك."
RESTORE_FAILED = "تعذّر تحميل هذه المحادثة."
RESUMING = "جارٍ إكمال الإجابة…"
TITLE_LABEL = "عنوان المحادثة"
SUGGESTIONS = "أسئلة مقترحة"
