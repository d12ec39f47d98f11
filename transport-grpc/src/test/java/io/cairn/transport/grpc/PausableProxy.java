package io.cairn.transport.grpc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP proxy on 127.0.0.1 that can stop moving bytes, as a member that stops reading (paused,
 * overloaded) looks to its peers: connections stay up, nothing is read.
 */
final class PausableProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Object pauseLock = new Object();
    private boolean paused;
    private volatile boolean closed;

    PausableProxy(int targetPort) throws IOException {
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
        track(Thread.ofPlatform().daemon().name("proxy-accept").start(this::accept));
    }

    int port() {
        return listener.getLocalPort();
    }

    void pause() {
        synchronized (pauseLock) {
            paused = true;
        }
    }

    void resume() {
        synchronized (pauseLock) {
            paused = false;
            pauseLock.notifyAll();
        }
    }

    private void accept() {
        try {
            while (!closed) {
                Socket client = listener.accept();
                Socket server = new Socket(target.getAddress(), target.getPort());
                synchronized (sockets) {
                    sockets.add(client);
                    sockets.add(server);
                }
                track(Thread.ofPlatform().daemon().name("proxy-up").start(() -> copy(client, server)));
                track(Thread.ofPlatform().daemon().name("proxy-down").start(() -> copy(server, client)));
            }
        } catch (IOException closedOrFailed) {
            // the proxy is closing
        }
    }

    private void copy(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            while (true) {
                synchronized (pauseLock) {
                    while (paused && !closed) {
                        pauseLock.wait();
                    }
                }
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException | InterruptedException ended) {
            // a side closed
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void track(Thread thread) {
        synchronized (threads) {
            threads.add(thread);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws Exception {
        closed = true;
        resume();
        listener.close();
        synchronized (sockets) {
            sockets.forEach(PausableProxy::closeQuietly);
        }
        List<Thread> all;
        synchronized (threads) {
            all = List.copyOf(threads);
        }
        for (Thread thread : all) {
            thread.join(5_000);
        }
    }
}
