package dev.faces.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The KafkaUsers of deploy/k8s/base/kafka/users.yaml as the Strimzi User Operator would apply them: each user's
 * simple-authorization ACLs as Kafka ACL bindings for {@code User:<name>}.
 */
final class KafkaUsersFromManifest {
    static final Path USERS = Pipeline.ROOT.resolve("deploy/k8s/base/kafka/users.yaml");

    private KafkaUsersFromManifest() {
    }

    /** User name to its ACL bindings, in the file's order. */
    static Map<String, List<AclBinding>> read() throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        Map<String, List<AclBinding>> users = new LinkedHashMap<>();
        for (JsonNode user : yaml.readerFor(JsonNode.class).<JsonNode>readValues(Files.readString(USERS)).readAll()) {
            if (!user.path("kind").asText().equals("KafkaUser")) {
                continue;
            }
            String name = user.path("metadata").path("name").asText();
            List<AclBinding> bindings = new ArrayList<>();
            for (JsonNode acl : user.path("spec").path("authorization").path("acls")) {
                JsonNode r = acl.path("resource");
                // Strimzi's "prefix" is Kafka's PREFIXED.
                PatternType patternType = r.path("patternType").asText("literal").equals("prefix")
                        ? PatternType.PREFIXED : PatternType.LITERAL;
                ResourceType type = ResourceType.fromString(r.path("type").asText());
                if (type == ResourceType.UNKNOWN) {
                    throw new IllegalArgumentException(name + ": unknown resource type " + r.path("type").asText());
                }
                ResourcePattern pattern = new ResourcePattern(type, r.path("name").asText(), patternType);
                for (JsonNode op : acl.path("operations")) {
                    AclOperation operation = AclOperation.fromString(op.asText().toUpperCase(Locale.ROOT)
                            .replace("IDEMPOTENTWRITE", "IDEMPOTENT_WRITE"));
                    if (operation == AclOperation.UNKNOWN) {
                        throw new IllegalArgumentException(name + ": unknown operation " + op.asText());
                    }
                    bindings.add(new AclBinding(pattern, new AccessControlEntry("User:" + name, "*", operation,
                            AclPermissionType.ALLOW)));
                }
            }
            users.put(name, bindings);
        }
        return users;
    }
}
