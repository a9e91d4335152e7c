//! ONNX export: the model's inference graph, preprocessing included, for onnxruntime and
//! the other ONNX runtimes.
//!
//! The graph (opset 13, 32-bit floats) reads `input` [batch, features] and writes `output`
//! [batch, outputs]: `Sub`/`Div` for input scaling, one `Gemm` (transB = 1, so W stays
//! out × in) per dense layer and its activation, `BatchNormalization` with the running
//! statistics, nothing for dropout, and `Mul`/`Add` to undo target scaling. GELU, which has no
//! operator before opset 20, is spelled out in primitive operators.

use std::path::Path;

use prost::Message;

use super::onnx_proto::*;
use super::{Model, write_atomic};
use crate::layer::Layer;
use crate::{Activation, Error, Scalar};

/// The operator set the graph is written in.
pub const ONNX_OPSET: i64 = 13;
/// The IR version that goes with opset 13 (ONNX 1.8).
const IR_VERSION: i64 = 7;
/// √(2/π) and the cubic coefficient of GELU's tanh form, as in [`Activation::Gelu`].
const GELU_SCALE: f64 = 0.797_884_560_802_865_4;
const GELU_CUBIC: f64 = 0.044_715;

impl<S: Scalar> Model<S> {
    /// The model as an ONNX file's bytes: the inference graph with the preprocessing folded in,
    /// in 32-bit floats (an f64 model's values are rounded to f32).
    ///
    /// Fails if a value does not fit in an f32 (or is NaN).
    pub fn to_onnx(&self) -> Result<Vec<u8>, Error> {
        let mut graph = GraphBuilder::default();
        let mut value = "input".to_string();
        if let Some(imputer) = &self.preprocessing.imputer {
            // A missing input (NaN) takes its fill: where(isnan(x), fills, x).
            let fills = graph.constant("imputer.fills", &imputer.fills)?;
            let missing = graph.node("IsNaN", "imputer.isnan", [value.clone()], vec![]);
            value = graph.node("Where", "imputer.where", [missing, fills, value], vec![]);
        }
        if let Some(scaler) = &self.preprocessing.input_scaler {
            let offsets = graph.constant("input_scaler.offsets", &scaler.offsets)?;
            let scales = graph.constant("input_scaler.scales", &scaler.scales)?;
            value = graph.node("Sub", "input_scaler.sub", [value, offsets], vec![]);
            value = graph.node("Div", "input_scaler.div", [value, scales], vec![]);
        }
        for (index, layer) in self.network.layers().iter().enumerate() {
            let name = |suffix: &str| format!("layers.{index}.{suffix}");
            match layer {
                Layer::Dense(dense) => {
                    let weight = graph.tensor(&name("weight"), &[dense.outputs(), dense.inputs()], dense.weights())?;
                    let bias = graph.tensor(&name("bias"), &[dense.outputs()], dense.bias())?;
                    // z = W a + b, with a batch as rows: Z = A·Wᵀ + b
                    value = graph.node("Gemm", &name("gemm"), [value, weight, bias], vec![int("transB", 1)]);
                    value = graph.activation(dense.activation(), &name("activation"), value)?;
                }
                Layer::BatchNorm(batch_norm) => {
                    let shape = [batch_norm.outputs()];
                    let inputs = [
                        value,
                        graph.tensor(&name("weight"), &shape, batch_norm.gamma())?,
                        graph.tensor(&name("bias"), &shape, batch_norm.beta())?,
                        graph.tensor(&name("running_mean"), &shape, batch_norm.running_mean())?,
                        graph.tensor(&name("running_var"), &shape, batch_norm.running_variance())?,
                    ];
                    let (momentum, epsilon) = batch_norm.settings();
                    let attributes = vec![float("epsilon", epsilon), float("momentum", 1.0 - momentum)];
                    value = graph.node("BatchNormalization", &name("batch_norm"), inputs, attributes);
                }
                // The identity in evaluation.
                Layer::Dropout(_) => {}
            }
        }
        if let Some(scaler) = &self.preprocessing.target_scaler {
            let scales = graph.constant("target_scaler.scales", &scaler.scales)?;
            let offsets = graph.constant("target_scaler.offsets", &scaler.offsets)?;
            value = graph.node("Mul", "target_scaler.mul", [value, scales], vec![]);
            value = graph.node("Add", "target_scaler.add", [value, offsets], vec![]);
        }
        graph.rename_output(&value, "output");

        let model = ModelProto {
            ir_version: IR_VERSION,
            opset_import: vec![OperatorSetIdProto { domain: String::new(), version: ONNX_OPSET }],
            producer_name: "neurone".into(),
            producer_version: env!("CARGO_PKG_VERSION").into(),
            doc_string: "A multi-layer perceptron exported by neurone, preprocessing included.".into(),
            graph: Some(GraphProto {
                node: graph.nodes,
                name: "neurone".into(),
                initializer: graph.initializers,
                input: vec![float_matrix("input", self.network.inputs())],
                output: vec![float_matrix("output", self.network.outputs())],
            }),
        };
        Ok(model.encode_to_vec())
    }

    /// Writes [`Model::to_onnx`]'s bytes to `path`, atomically.
    pub fn export_onnx(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        write_atomic(path.as_ref(), &self.to_onnx()?)
    }
}

/// The nodes and constants of a graph under construction; each node gets a fresh output name.
#[derive(Default)]
struct GraphBuilder {
    nodes: Vec<NodeProto>,
    initializers: Vec<TensorProto>,
}

impl GraphBuilder {
    /// Appends `op_type(inputs)` and returns the name of its output (the node's name).
    fn node<const N: usize>(
        &mut self,
        op_type: &str,
        name: &str,
        inputs: [String; N],
        attribute: Vec<AttributeProto>,
    ) -> String {
        self.nodes.push(NodeProto {
            input: inputs.to_vec(),
            output: vec![name.to_string()],
            name: name.to_string(),
            op_type: op_type.to_string(),
            attribute,
        });
        name.to_string()
    }

    /// Adds an initializer of the given shape and returns its name.
    fn tensor<T: Scalar>(&mut self, name: &str, shape: &[usize], values: &[T]) -> Result<String, Error> {
        let float_data = values
            .iter()
            .map(|value| {
                let single = value.to_f64() as f32;
                if single.is_finite() {
                    Ok(single)
                } else {
                    Err(Error::invalid(
                        "model",
                        format!("`{name}` holds {:e}, which is not a finite f32", value.to_f64()),
                    ))
                }
            })
            .collect::<Result<_, _>>()?;
        self.initializers.push(TensorProto {
            dims: shape.iter().map(|&size| size as i64).collect(),
            data_type: DATA_TYPE_FLOAT,
            float_data,
            name: name.to_string(),
        });
        Ok(name.to_string())
    }

    /// A 1-D initializer, broadcast along the batch by the element-wise operators.
    fn constant(&mut self, name: &str, values: &[f64]) -> Result<String, Error> {
        self.tensor(name, &[values.len()], values)
    }

    /// A scalar initializer (shape `[]`).
    fn scalar(&mut self, name: &str, value: f64) -> Result<String, Error> {
        self.tensor(name, &[], &[value])
    }

    /// a = σ(z): one operator, none for the identity, or GELU's formula.
    fn activation(&mut self, activation: Activation, name: &str, z: String) -> Result<String, Error> {
        Ok(match activation {
            Activation::Identity => z,
            Activation::Sigmoid => self.node("Sigmoid", name, [z], vec![]),
            Activation::Tanh => self.node("Tanh", name, [z], vec![]),
            Activation::Relu => self.node("Relu", name, [z], vec![]),
            Activation::LeakyRelu { slope } => self.node("LeakyRelu", name, [z], vec![float("alpha", slope)]),
            Activation::Elu { alpha } => self.node("Elu", name, [z], vec![float("alpha", alpha)]),
            Activation::Softplus => self.node("Softplus", name, [z], vec![]),
            Activation::Softmax => self.node("Softmax", name, [z], vec![int("axis", -1)]),
            Activation::Gelu => self.gelu(name, z)?,
            Activation::Exp => self.node("Exp", name, [z], vec![]),
        })
    }

    /// ½ z (1 + tanh(√(2/π) (z + 0.044715 z³))) in `Mul`, `Add` and `Tanh`.
    fn gelu(&mut self, name: &str, z: String) -> Result<String, Error> {
        let step = |part: &str| format!("{name}.{part}");
        let cubic = self.scalar(&step("cubic_coefficient"), GELU_CUBIC)?;
        let scale = self.scalar(&step("scale"), GELU_SCALE)?;
        let one = self.scalar(&step("one"), 1.0)?;
        let half = self.scalar(&step("half"), 0.5)?;
        let z_squared = self.node("Mul", &step("z_squared"), [z.clone(), z.clone()], vec![]);
        let z_cubed = self.node("Mul", &step("z_cubed"), [z_squared, z.clone()], vec![]);
        let cubic_term = self.node("Mul", &step("cubic_term"), [z_cubed, cubic], vec![]);
        let inner = self.node("Add", &step("inner"), [z.clone(), cubic_term], vec![]);
        let u = self.node("Mul", &step("u"), [inner, scale], vec![]);
        let tanh = self.node("Tanh", &step("tanh"), [u], vec![]);
        let one_plus = self.node("Add", &step("one_plus_tanh"), [tanh, one], vec![]);
        let product = self.node("Mul", &step("z_times"), [z, one_plus], vec![]);
        Ok(self.node("Mul", name, [product, half], vec![]))
    }

    /// Renames the value `from` (the last node's output) to `to`.
    fn rename_output(&mut self, from: &str, to: &str) {
        if let Some(output) = self.nodes.last_mut().and_then(|node| node.output.iter_mut().find(|name| *name == from)) {
            *output = to.to_string();
        }
    }
}

fn float(name: &str, value: f64) -> AttributeProto {
    AttributeProto { name: name.into(), r#type: ATTRIBUTE_FLOAT, f: value as f32, i: 0 }
}

fn int(name: &str, value: i64) -> AttributeProto {
    AttributeProto { name: name.into(), r#type: ATTRIBUTE_INT, f: 0.0, i: value }
}

/// A float tensor of shape [batch, `width`], `batch` left symbolic.
fn float_matrix(name: &str, width: usize) -> ValueInfoProto {
    let dim = vec![
        Dimension { value: Some(DimensionValue::DimParam("batch".into())) },
        Dimension { value: Some(DimensionValue::DimValue(width as i64)) },
    ];
    ValueInfoProto {
        name: name.into(),
        r#type: Some(TypeProto {
            tensor_type: Some(TensorTypeProto { elem_type: DATA_TYPE_FLOAT, shape: Some(TensorShapeProto { dim }) }),
        }),
    }
}

#[cfg(test)]
mod tests {
    //! The exported bytes decode back into the graph we meant: operators in order, attributes,
    //! initializers shaped like the network's tensors, and typed input and output.

    use super::*;
    use crate::data::{Preprocessing, Scaler, ScalerKind};
    use crate::{Loss, Matrix, Network, seeded_rng};

    fn model() -> Model<f64> {
        let network = Network::builder(2)
            .dense(3, Activation::LeakyRelu { slope: 0.2 })
            .batch_norm()
            .dropout(0.5)
            .dense(3, Activation::Gelu)
            .dense(2, Activation::Softmax)
            .loss(Loss::CategoricalCrossEntropy)
            .build(&mut seeded_rng(1))
            .unwrap();
        let input_scaler = Scaler { kind: ScalerKind::Standard, offsets: vec![1.0, 2.0], scales: vec![3.0, 4.0] };
        Model::new(network, Preprocessing { input_scaler: Some(input_scaler), ..Default::default() })
    }

    fn decode(model: &Model<f64>) -> GraphProto {
        let decoded = ModelProto::decode(model.to_onnx().unwrap().as_slice()).unwrap();
        assert_eq!((decoded.ir_version, decoded.producer_name.as_str()), (7, "neurone"));
        assert_eq!(decoded.opset_import, [OperatorSetIdProto { domain: String::new(), version: 13 }]);
        decoded.graph.unwrap()
    }

    #[test]
    fn the_graph_has_one_operator_chain_from_input_to_output() {
        let graph = decode(&model());
        let ops: Vec<&str> = graph.node.iter().map(|node| node.op_type.as_str()).collect();
        let gelu = ["Mul", "Mul", "Mul", "Add", "Mul", "Tanh", "Add", "Mul", "Mul"];
        let expected: Vec<&str> = ["Sub", "Div", "Gemm", "LeakyRelu", "BatchNormalization", "Gemm"]
            .into_iter()
            .chain(gelu)
            .chain(["Gemm", "Softmax"])
            .collect();
        assert_eq!(ops, expected);
        // Each node reads the previous node's output (or an initializer, or the graph input).
        let initializers: Vec<&str> = graph.initializer.iter().map(|tensor| tensor.name.as_str()).collect();
        let mut produced = vec!["input".to_string()];
        for node in &graph.node {
            for input in &node.input {
                assert!(
                    produced.contains(input) || initializers.contains(&input.as_str()),
                    "{} reads {input}",
                    node.name
                );
            }
            produced.extend(node.output.iter().cloned());
        }
        assert_eq!(graph.node.last().unwrap().output, ["output"]);

        let gemm = &graph.node[2];
        assert_eq!(gemm.input, ["input_scaler.div", "layers.0.weight", "layers.0.bias"]);
        assert_eq!(gemm.attribute, [AttributeProto { name: "transB".into(), r#type: ATTRIBUTE_INT, f: 0.0, i: 1 }]);
        assert_eq!(graph.node[3].attribute[0].f, 0.2);
        let batch_norm = &graph.node[4];
        assert_eq!(
            batch_norm.input[1..],
            ["layers.1.weight", "layers.1.bias", "layers.1.running_mean", "layers.1.running_var"]
        );
        assert_eq!(batch_norm.attribute[0].f, 1e-5);
        assert_eq!(graph.node.last().unwrap().attribute[0].i, -1, "softmax over each row");
    }

    #[test]
    fn initializers_hold_the_weights_out_by_in_and_the_io_is_typed() {
        let model = model();
        let graph = decode(&model);
        let weight = graph.initializer.iter().find(|tensor| tensor.name == "layers.0.weight").unwrap();
        assert_eq!((weight.dims.as_slice(), weight.data_type), (&[3, 2][..], DATA_TYPE_FLOAT));
        let dense = model.network.layers()[0].as_dense().unwrap();
        let expected: Vec<f32> = dense.weights().iter().map(|&w| w as f32).collect();
        assert_eq!(weight.float_data, expected);
        let offsets = graph.initializer.iter().find(|tensor| tensor.name == "input_scaler.offsets").unwrap();
        assert_eq!(offsets.float_data, [1.0, 2.0]);

        let shape = |info: &ValueInfoProto| {
            let tensor = info.r#type.as_ref().unwrap().tensor_type.as_ref().unwrap();
            assert_eq!(tensor.elem_type, DATA_TYPE_FLOAT);
            tensor.shape.as_ref().unwrap().dim.iter().map(|dim| dim.value.clone().unwrap()).collect::<Vec<_>>()
        };
        let batch = DimensionValue::DimParam("batch".into());
        assert_eq!((graph.input.len(), graph.input[0].name.as_str()), (1, "input"));
        assert_eq!(shape(&graph.input[0]), [batch.clone(), DimensionValue::DimValue(2)]);
        assert_eq!(shape(&graph.output[0]), [batch, DimensionValue::DimValue(2)]);
    }

    #[test]
    fn target_scaling_is_undone_at_the_end_and_values_beyond_f32_are_refused() {
        let mut model = model();
        model.preprocessing.target_scaler =
            Some(Scaler::fit(ScalerKind::MinMax, &Matrix::from_rows(&[[0.0f64, 1.0], [10.0, 3.0]]).unwrap()).unwrap());
        let ops: Vec<String> = decode(&model).node.iter().rev().take(3).map(|node| node.op_type.clone()).collect();
        assert_eq!(ops, ["Add", "Mul", "Softmax"]);
        model.network.layers_mut()[0].as_dense_mut().unwrap().weights_mut()[1] = 1e300;
        let error = model.to_onnx().unwrap_err().to_string();
        assert_eq!(error, "invalid model: `layers.0.weight` holds 1e300, which is not a finite f32");
    }
}
