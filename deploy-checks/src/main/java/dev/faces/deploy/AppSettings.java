package dev.faces.deploy;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/** What a service reads from its environment, from its application.properties. */
public final class AppSettings {
    private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)");
    private static final Set<String> KAFKA_CLIENT_SETTINGS = new HashSet<>();

    static {
        for (Set<String> names : java.util.List.of(ProducerConfig.configNames(), ConsumerConfig.configNames(),
                AdminClientConfig.configNames())) {
            names.forEach(n -> KAFKA_CLIENT_SETTINGS.add("KAFKA_" + n.toUpperCase(Locale.ROOT).replace('.', '_')));
        }
    }

    private final String service;
    private final Properties properties = new Properties();
    private final Set<String> envNames = new HashSet<>();

    private AppSettings(String service, String text) throws IOException {
        this.service = service;
        properties.load(new StringReader(text));
        Matcher m = ENV_REF.matcher(text);
        while (m.find()) {
            envNames.add(m.group(1));
        }
        for (String key : properties.stringPropertyNames()) {
            String plain = key.startsWith("%") ? key.substring(key.indexOf('.') + 1) : key;
            // MicroProfile Config's environment-variable form of a property name.
            envNames.add(plain.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"));
        }
    }

    public static AppSettings of(Path repoRoot, String service) {
        Path file = repoRoot.resolve(service).resolve("src/main/resources/application.properties");
        try {
            return new AppSettings(service, Files.readString(file));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    public String service() {
        return service;
    }

    /**
     * Whether the service reads this variable: it is named in application.properties, is the environment form
     * of one of its properties, or is a Kafka client setting (Quarkus passes every KAFKA_* variable to the
     * clients as the matching kafka.* property).
     */
    public boolean reads(String env) {
        return envNames.contains(env) || KAFKA_CLIENT_SETTINGS.contains(env);
    }

    /** The default a property falls back to: {@code x} of {@code ${VAR:x}}, or the plain value. */
    public String defaultOf(String key) {
        String value = properties.getProperty(key);
        if (value == null) {
            return null;
        }
        Matcher m = Pattern.compile("^\\$\\{[A-Z0-9_]+:(.*)}$").matcher(value.trim());
        return m.matches() ? m.group(1) : value.trim();
    }

    /** A duration property such as {@code 90s} or {@code ${SHUTDOWN_TIMEOUT:15s}}, in seconds. */
    public long seconds(String key) {
        return parseSeconds(defaultOf(key));
    }

    static long parseSeconds(String value) {
        if (value == null) {
            throw new IllegalArgumentException("no value");
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.endsWith("ms")) {
            return (Long.parseLong(v.substring(0, v.length() - 2)) + 999) / 1000;
        }
        if (v.endsWith("s")) {
            return Long.parseLong(v.substring(0, v.length() - 1));
        }
        if (v.endsWith("m")) {
            return 60 * Long.parseLong(v.substring(0, v.length() - 1));
        }
        return Long.parseLong(v);
    }
}
