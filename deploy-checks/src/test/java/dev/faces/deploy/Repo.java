package dev.faces.deploy;

import java.nio.file.Path;

/** Paths of the checkout the tests run in. */
final class Repo {
    static final Path ROOT = Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();
    static final Path K8S = ROOT.resolve("deploy/k8s");
    /** Kustomizations that break one rule each, built on the real base (src/test/broken). */
    static final Path BROKEN = ROOT.resolve("deploy-checks/src/test/broken");

    private Repo() {
    }
}
