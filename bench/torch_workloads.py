"""The PyTorch side of the benchmark: each workload configured as neurone's experiment file.

Run by harness.py, one workload per process; the thread count comes from --threads (and the
harness sets OMP_NUM_THREADS/MKL_NUM_THREADS to the same number before the process starts).
"""

import argparse
import time

from common import grid_mse, load_mnist, sine_training_data, write_result


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("workload", choices=["sine", "mnist", "sgemm", "inference"])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--hidden", default="128,64", help="hidden layer widths, comma separated")
    parser.add_argument("--repeats", type=int, default=20, help="sgemm: passes over the products")
    parser.add_argument("--result", help="where to write the JSON figures")
    return parser.parse_args()


args = parse_arguments()
import torch  # noqa: E402  (after argument parsing, so --help is quick)

torch.set_num_threads(args.threads)
torch.set_num_interop_threads(1)
torch.manual_seed(args.seed)


def mlp(widths, activation):
    """Dense layers with neurone's default initialisation for the activation: Xavier (Glorot)
    uniform for tanh, He (Kaiming) uniform for ReLU; biases start at zero."""
    layers = []
    for index, (fan_in, fan_out) in enumerate(zip(widths[:-1], widths[1:])):
        linear = torch.nn.Linear(fan_in, fan_out)
        if activation == "relu":
            torch.nn.init.kaiming_uniform_(linear.weight, nonlinearity="relu")
        else:
            torch.nn.init.xavier_uniform_(linear.weight)
        torch.nn.init.zeros_(linear.bias)
        layers.append(linear)
        if index < len(widths) - 2:
            layers.append(torch.nn.ReLU() if activation == "relu" else torch.nn.Tanh())
    return torch.nn.Sequential(*layers)


def train(model, loss_function, optimizer, x, y, epochs, batch_size):
    """Plain minibatch loop: a new permutation each epoch, the last smaller batch kept (as
    neurone does). Tensor slicing rather than a DataLoader, the cheapest idiomatic loop."""
    generator = torch.Generator().manual_seed(args.seed)
    epoch_seconds = []
    samples = x.shape[0]
    for _ in range(epochs):
        started = time.perf_counter()
        order = torch.randperm(samples, generator=generator)
        for start in range(0, samples, batch_size):
            index = order[start : start + batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_function(model(x[index]), y[index])
            loss.backward()
            optimizer.step()
        epoch_seconds.append(time.perf_counter() - started)
    return epoch_seconds


def sine():
    x, y = sine_training_data(args.seed)
    model = mlp([1, 16, 16, 1], "tanh")
    mse = torch.nn.MSELoss()
    # neurone's J = ½‖a − y‖² averaged over the batch: half of nn.MSELoss, so the same η means
    # the same step.
    loss_function = lambda prediction, target: 0.5 * mse(prediction, target)  # noqa: E731
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.0)
    epoch_seconds = train(model, loss_function, optimizer, torch.from_numpy(x), torch.from_numpy(y), 2000, 16)
    with torch.no_grad():
        metric = grid_mse(lambda grid: model(torch.from_numpy(grid)).numpy())
    return {"train_seconds": sum(epoch_seconds), "grid_mse": metric}


def hidden_widths():
    return [int(width) for width in args.hidden.split(",")]


def mnist():
    x_train, y_train, x_test, y_test = load_mnist()
    model = mlp([784, *hidden_widths(), 10], "relu")
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    epoch_seconds = train(
        model,
        torch.nn.CrossEntropyLoss(),
        optimizer,
        torch.from_numpy(x_train),
        torch.from_numpy(y_train),
        args.epochs,
        args.batch,
    )
    with torch.no_grad():
        predicted = model(torch.from_numpy(x_test)).argmax(dim=1).numpy()
    return {
        "epoch_seconds": epoch_seconds,
        "train_seconds": sum(epoch_seconds),
        "test_accuracy": float((predicted == y_test).mean()),
    }


def sgemm():
    """The matrix products of one training step, alone: for each layer of 784→hidden→10 at the
    batch size, Z = A·Wᵀ, dW = Δᵀ·A and, except for the input layer (training needs no gradient
    for the pixels), dA = Δ·W. Rated by the training formula, 6 × weights × batch per pass."""
    widths = [784, *hidden_widths(), 10]
    products = []
    for fan_in, fan_out in zip(widths[:-1], widths[1:]):
        a = torch.rand(args.batch, fan_in)
        w = torch.rand(fan_out, fan_in)
        delta = torch.rand(args.batch, fan_out)
        products.append((a, w, delta))
    flops = sum(6 * w.numel() * args.batch for _, w, _ in products)

    def one_pass():
        for layer, (a, w, delta) in enumerate(products):
            torch.matmul(a, w.t())
            torch.matmul(delta.t(), a)
            if layer > 0:
                torch.matmul(delta, w)

    one_pass()
    started = time.perf_counter()
    for _ in range(args.repeats):
        one_pass()
    seconds = time.perf_counter() - started
    return {"gflops": flops * args.repeats / seconds / 1e9, "seconds": seconds}


def inference():
    """Latency of one sample and throughput over the 10 000 test images, in evaluation mode."""
    _, _, x_test, _ = load_mnist()
    model = mlp([784, *hidden_widths(), 10], "relu").eval()
    images = torch.from_numpy(x_test)
    with torch.inference_mode():
        one = images[:1]
        for _ in range(100):
            model(one)
        latencies = []
        for index in range(2000):
            started = time.perf_counter()
            model(images[index : index + 1]).softmax(dim=1)
            latencies.append(time.perf_counter() - started)
        latencies.sort()
        model(images).softmax(dim=1)
        batch_seconds = []
        for _ in range(5):
            started = time.perf_counter()
            model(images).softmax(dim=1)
            batch_seconds.append(time.perf_counter() - started)
    return {
        "latency_seconds": latencies[len(latencies) // 2],
        "throughput_per_second": len(images) / min(batch_seconds),
    }


workloads = {"sine": sine, "mnist": mnist, "sgemm": sgemm, "inference": inference}
result = workloads[args.workload]()
result["threads"] = torch.get_num_threads()
result["version"] = torch.__version__
write_result(args.result, result)
