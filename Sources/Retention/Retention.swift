/// Retention: schedule + item facts → one class, its dates and action, any legal holds, and the reason.
///
/// ``Classifier`` applies the schedule (CONTRACT.md): every class whose `when` keys all match is a
/// candidate; the highest priority wins, then the one with more matching keys, then the first in the file.
/// ``RetentionDates`` does the calendar: N months lands on the same day N months later (the last day of a
/// shorter month), `end_of_financial_year` is the next 31 March on or after the date. A hold always wins:
/// a held item is never a disposal candidate.
public enum Retention {}
