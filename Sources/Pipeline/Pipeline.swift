/// Pipeline: the scanner that joins the stages.
///
/// ``Scanner/run()`` reads top to bottom: check roots → open the scan in the index → walk (each folder's
/// listing compared with what the index holds; only new or changed items are opened) → write in batches →
/// mark what is gone → summary. ``ScanConfiguration`` is the one immutable, compiled configuration
/// (flags and `--config` YAML merged by ``ConfigFile``); ``ScanProgress`` feeds the progress display.
public enum Pipeline {}
