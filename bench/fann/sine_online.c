/* The course's sine trained online with FANN (Debian's libfann-dev), as neurone's
 *     neurone --threads 1 train examples/sine.toml --set train.batch_size=1 --set data.validation_samples=0
 * trains it: 1 → 16 → 16 → 1, tanh hidden layers (FANN's symmetric sigmoid with steepness 1 is
 * tanh), a linear output, η = 0.05 without momentum, the gradient of ½(a − y)² (FANN's linear
 * error function), one update per sample (FANN_TRAIN_INCREMENTAL), 2000 epochs of 500 samples
 * with x drawn uniformly from [0, 2π]. FANN visits the samples in order; neurone shuffles them.
 *
 *     sine_online SEED   prints "seconds <training loop> grid_mse <MSE on 1000 grid points>"
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <floatfann.h>

#define SAMPLES 500
#define EPOCHS 2000
#define GRID 1000

int main(int argc, char **argv) {
    unsigned seed = argc > 1 ? (unsigned)atoi(argv[1]) : 1;
    struct fann *ann = fann_create_standard(4, 1, 16, 16, 1);
    /* After fann_create_standard, which seeds rand() from the clock. */
    srand(seed);
    fann_set_activation_function_hidden(ann, FANN_SIGMOID_SYMMETRIC);
    fann_set_activation_steepness_hidden(ann, 1.0f);
    fann_set_activation_function_output(ann, FANN_LINEAR);
    fann_set_activation_steepness_output(ann, 1.0f);
    fann_set_training_algorithm(ann, FANN_TRAIN_INCREMENTAL);
    fann_set_train_error_function(ann, FANN_ERRORFUNC_LINEAR);
    fann_set_learning_rate(ann, 0.05f);
    fann_set_learning_momentum(ann, 0.0f);
    fann_randomize_weights(ann, -0.3f, 0.3f);

    struct fann_train_data *data = fann_create_train(SAMPLES, 1, 1);
    for (unsigned i = 0; i < SAMPLES; i++) {
        float x = (float)(2.0 * M_PI * rand() / RAND_MAX);
        data->input[i][0] = x;
        data->output[i][0] = sinf(x);
    }

    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (unsigned epoch = 0; epoch < EPOCHS; epoch++) {
        fann_train_epoch(ann, data);
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (double)(end.tv_sec - start.tv_sec) + 1e-9 * (double)(end.tv_nsec - start.tv_nsec);

    double squared = 0.0;
    for (unsigned i = 0; i < GRID; i++) {
        fann_type x = (fann_type)(2.0 * M_PI * i / (GRID - 1));
        double error = (double)fann_run(ann, &x)[0] - sin((double)x);
        squared += error * error;
    }
    printf("seconds %.4f grid_mse %.4e\n", seconds, squared / GRID);
    fann_destroy_train(data);
    fann_destroy(ann);
    return 0;
}
