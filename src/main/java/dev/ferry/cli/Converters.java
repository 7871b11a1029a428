package dev.ferry.cli;

import dev.ferry.ftp.UploadStrategy;
import dev.ferry.plan.FileExist;
import java.nio.charset.Charset;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The command line's value types. Each message completes "--option …" ({@link Cli} puts the option's name in
 * front), so a mistake reads {@code --segments takes a whole number of at least 1, not '0'}.
 */
final class Converters {
    private Converters() {
    }

    /** A count or a number of seconds: 1 or more. */
    static final class PositiveInt implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String v) {
            try {
                int n = Integer.parseInt(v.trim());
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // Reported below with the value as typed.
            }
            throw new TypeConversionException("takes a whole number of at least 1, not '" + v + "'");
        }
    }

    /** Bytes, with K, M or G suffixes (powers of 1024), as in lftp and curl. */
    static final class Size implements ITypeConverter<Long> {
        @Override
        public Long convert(String v) {
            return parse(v);
        }

        static long parse(String v) {
            String s = v.trim().toUpperCase(Locale.ROOT);
            long unit = 1;
            if (s.endsWith("K") || s.endsWith("M") || s.endsWith("G")) {
                unit = switch (s.charAt(s.length() - 1)) {
                    case 'K' -> 1L << 10;
                    case 'M' -> 1L << 20;
                    default -> 1L << 30;
                };
                s = s.substring(0, s.length() - 1);
            }
            try {
                long n = Long.parseLong(s);
                if (n >= 0 && n <= Long.MAX_VALUE / unit) {
                    return n * unit;
                }
            } catch (NumberFormatException e) {
                // Reported below with the value as typed.
            }
            throw new TypeConversionException("takes a size such as 512K, 8M or 1G, not '" + v + "'");
        }
    }

    static final class Strategy implements ITypeConverter<UploadStrategy> {
        @Override
        public UploadStrategy convert(String v) {
            try {
                return UploadStrategy.valueOf(v.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("takes auto, parallel, sequential or restart, not '" + v + "'");
            }
        }
    }

    /** camel-file's fileExist names, in any case. */
    static final class FileExistMode implements ITypeConverter<FileExist> {
        @Override
        public FileExist convert(String v) {
            try {
                return FileExist.parse(v);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(v + ": use fail, override, ignore or tryrename");
            }
        }
    }

    static final class CharsetName implements ITypeConverter<Charset> {
        @Override
        public Charset convert(String v) {
            try {
                return Charset.forName(v.trim());
            } catch (RuntimeException e) {
                throw new TypeConversionException("names no charset known here: '" + v + "'");
            }
        }
    }
}
