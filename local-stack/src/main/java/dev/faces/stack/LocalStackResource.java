package dev.faces.stack;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * {@code @QuarkusTestResource(LocalStackResource.class)}: points a service under test at the JVM's
 * shared real Kafka broker and S3 server. The stack outlives the application so that every test
 * class of a module shares one broker.
 */
public class LocalStackResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return LocalStack.shared().serviceConfig();
    }

    @Override
    public void stop() {
        // the shared stack stops with the JVM
    }
}
