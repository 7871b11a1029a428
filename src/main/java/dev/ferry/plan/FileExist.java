package dev.ferry.plan;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Locale;

/**
 * What a transfer does when its final name is taken, named as camel-file's {@code fileExist} so a Camel user reads it
 * without a manual. The default is {@link #FAIL}: a file a person may still need is never replaced without asking.
 */
public enum FileExist {
    /** Refuse before moving a byte, naming the file and the option that allows replacing it. */
    FAIL,
    /** Replace the existing file, atomically, once the new copy is verified. */
    OVERRIDE,
    /** Keep the existing file, move nothing, and report the transfer as skipped. */
    IGNORE,
    /** No check up front; the final rename refuses to replace a file (it fails if one appeared). */
    TRYRENAME;

    /** Camel's spelling (Fail, Override, Ignore, TryRename) in any case. */
    @JsonCreator
    public static FileExist parse(String value) {
        String v = value == null ? "" : value.trim().toUpperCase(Locale.ROOT);
        for (FileExist f : values()) {
            if (f.name().equals(v)) {
                return f;
            }
        }
        throw new IllegalArgumentException("fileExist '" + value + "' is not one of Fail, Override, Ignore, TryRename");
    }

    /** The {@code overwrite} alias: true is Override, false is Fail. */
    public static FileExist ofOverwrite(boolean overwrite) {
        return overwrite ? OVERRIDE : FAIL;
    }

    /** Camel's spelling, for messages. */
    public String camelName() {
        return this == TRYRENAME ? "TryRename" : name().charAt(0) + name().substring(1).toLowerCase(Locale.ROOT);
    }

    @com.fasterxml.jackson.annotation.JsonValue
    String json() {
        return camelName();
    }

}
